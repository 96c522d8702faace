//! Small readers for the JSON that crosses between the isolate, the config and the host.

use serde_json::Value;

/// The strings of a JSON array (other items and non-arrays give nothing).
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}
