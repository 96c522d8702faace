//! The runner's [`SandboxHost`]: the bindings of one runtime's options, answering the ops.

use std::cell::Cell;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::StreamExt as _;
use futures::future::LocalBoxFuture;
use futures::stream::BoxStream;

use super::ext::FetchRequest;
use super::ext::FetchResponse;
use super::ext::FsCall;
use super::ext::FsReply;
use super::ext::HostError;
use super::ext::SandboxHost;
use super::ext::ToolReply;
use super::fetch::Fetcher;
use super::files;
use super::files::Files;
use super::options::ConsoleBinding;
use super::options::ConsoleEntry;
use super::options::ConsoleLevel;
use super::options::HostCalls;
use super::options::ToolFn;
use super::options::ToolOutput;

type ToolStream = BoxStream<'static, Result<serde_json::Value, String>>;

/// One runtime's bindings.
pub(crate) struct Bindings {
    pub console: ConsoleBinding,
    pub files: Option<Files>,
    pub fetcher: Rc<Fetcher>,
    pub tools: HashMap<String, ToolFn>,
    pub calls: Option<Rc<dyn HostCalls>>,
    iterators: Rc<RefCell<HashMap<u32, ToolStream>>>,
    next_iterator: Cell<u32>,
}

impl Bindings {
    pub(crate) fn new(
        console: ConsoleBinding,
        files: Option<Files>,
        fetcher: Fetcher,
        tools: HashMap<String, ToolFn>,
        calls: Option<Rc<dyn HostCalls>>,
    ) -> Self {
        Self {
            console,
            files,
            fetcher: Rc::new(fetcher),
            tools,
            calls,
            iterators: Rc::new(RefCell::new(HashMap::new())),
            next_iterator: Cell::new(1),
        }
    }
}

impl SandboxHost for Bindings {
    fn console(&self, level: u32, text: String) {
        (self.console.0)(ConsoleEntry {
            level: ConsoleLevel::from_wire(level),
            text,
        });
    }

    fn fs(&self, call: FsCall) -> LocalBoxFuture<'static, Result<FsReply, HostError>> {
        match &self.files {
            Some(files) => {
                let files = files.clone();
                Box::pin(async move { files.call(call).await })
            }
            None => {
                let err = files::no_files(&call);
                Box::pin(async move { Err(err) })
            }
        }
    }

    fn fs_sync(&self, call: FsCall) -> Result<FsReply, HostError> {
        match &self.files {
            Some(files) => files.call_blocking(call),
            None => Err(files::no_files(&call)),
        }
    }

    fn digest(
        &self,
        algorithm: &str,
        key: Option<&[u8]>,
        data: &[u8],
    ) -> Result<Vec<u8>, HostError> {
        digest(algorithm, key, data)
    }

    fn fetch(
        &self,
        req: FetchRequest,
    ) -> LocalBoxFuture<'static, Result<FetchResponse, HostError>> {
        let fetcher = self.fetcher.clone();
        Box::pin(async move { fetcher.fetch(req).await })
    }

    fn tool_call(
        &self,
        name: String,
        args: Vec<serde_json::Value>,
    ) -> LocalBoxFuture<'static, Result<ToolReply, HostError>> {
        let Some(tool) = self.tools.get(&name).cloned() else {
            let mut names: Vec<_> = self.tools.keys().cloned().collect();
            names.sort();
            let err = HostError::Type(format!(
                "tools.{name} is not a tool the host provides (available: {})",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ));
            return Box::pin(async move { Err(err) });
        };
        let id = self.next_iterator.get();
        self.next_iterator.set(id + 1);
        let iterators = self.iterators.clone();
        Box::pin(async move {
            match tool(args)
                .await
                .map_err(|e| HostError::Generic(format!("tool `{name}` failed: {e}")))?
            {
                ToolOutput::Value(value) => Ok(ToolReply::Value { value }),
                ToolOutput::Stream(stream) => {
                    iterators.borrow_mut().insert(id, stream);
                    Ok(ToolReply::Iterator { id })
                }
            }
        })
    }

    fn tool_next(
        &self,
        id: u32,
    ) -> LocalBoxFuture<'static, Result<Option<serde_json::Value>, HostError>> {
        let iterators = self.iterators.clone();
        Box::pin(async move {
            let Some(mut stream) = iterators.borrow_mut().remove(&id) else {
                return Ok(None);
            };
            match stream.next().await {
                Some(Ok(value)) => {
                    iterators.borrow_mut().insert(id, stream);
                    Ok(Some(value))
                }
                Some(Err(e)) => Err(HostError::Generic(e)),
                None => Ok(None),
            }
        })
    }

    fn tool_return(&self, id: u32) {
        self.iterators.borrow_mut().remove(&id);
    }

    fn tool_names(&self) -> Vec<String> {
        let mut names: Vec<_> = self.tools.keys().cloned().collect();
        names.sort();
        names
    }

    fn call(
        &self,
        method: String,
        args: String,
    ) -> LocalBoxFuture<'static, Result<String, HostError>> {
        let Some(calls) = self.calls.clone() else {
            return Box::pin(async move {
                Err(HostError::Type(format!("{method} is not available here")))
            });
        };
        Box::pin(async move { Ok(calls.call(method, args).await) })
    }
}

/// A hash or, with a key, an HMAC of `data`.
fn digest(algorithm: &str, key: Option<&[u8]>, data: &[u8]) -> Result<Vec<u8>, HostError> {
    use sha2::Digest as _;
    fn keyed<M: hmac::Mac + hmac::digest::KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(key)
            .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
        mac.update(data);
        mac.finalize().into_bytes().to_vec()
    }
    let out = match (algorithm, key) {
        ("md5", None) => md5::Md5::digest(data).to_vec(),
        ("sha1", None) => sha1::Sha1::digest(data).to_vec(),
        ("sha256", None) => sha2::Sha256::digest(data).to_vec(),
        ("sha384", None) => sha2::Sha384::digest(data).to_vec(),
        ("sha512", None) => sha2::Sha512::digest(data).to_vec(),
        ("md5", Some(k)) => keyed::<hmac::Hmac<md5::Md5>>(k, data),
        ("sha1", Some(k)) => keyed::<hmac::Hmac<sha1::Sha1>>(k, data),
        ("sha256", Some(k)) => keyed::<hmac::Hmac<sha2::Sha256>>(k, data),
        ("sha384", Some(k)) => keyed::<hmac::Hmac<sha2::Sha384>>(k, data),
        ("sha512", Some(k)) => keyed::<hmac::Hmac<sha2::Sha512>>(k, data),
        (other, _) => {
            return Err(HostError::Generic(format!(
                "ERR_CRYPTO_INVALID_DIGEST: Digest method not supported: {other}"
            )));
        }
    };
    Ok(out)
}
