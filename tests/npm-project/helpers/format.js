// A CommonJS helper, as many suites still have: require, module.exports, __filename.
const _ = require('lodash');
const path = require('path');

function title(words) {
  return _.startCase(_.toLower(words));
}

module.exports = {
  title,
  helperFile: path.basename(__filename),
  helperDir: path.basename(__dirname),
};
