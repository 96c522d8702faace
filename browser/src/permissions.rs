//! Permissions and geolocation of a context: `grant_permissions` / `clear_permissions` (CDP
//! `Browser.setPermission` per permission, `Browser.resetPermissions`) and the geolocation every
//! page of the context reports (`Emulation.setGeolocationOverride` on each page, new ones too).

use chromiumoxide::cdp::browser_protocol::browser;
use chromiumoxide::cdp::browser_protocol::emulation;
use serde::Deserialize;
use serde::Serialize;

use crate::context::Context;
use crate::error::BrowserError;
use crate::error::cdp;
use crate::page::Page;

/// A position pages of a context report through `navigator.geolocation`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Geolocation {
    /// Degrees, -90 to 90.
    pub latitude: f64,
    /// Degrees, -180 to 180.
    pub longitude: f64,
    /// Metres; Playwright's default is 0.
    #[serde(default)]
    pub accuracy: Option<f64>,
}

impl Geolocation {
    /// Playwright's checks, with its wording.
    pub fn validate(&self) -> Result<(), BrowserError> {
        let check = |what: &str, v: f64, lo: f64, hi: f64| {
            if (lo..=hi).contains(&v) {
                Ok(())
            } else {
                Err(BrowserError::InvalidArgument(format!(
                    "geolocation.{what}: precondition {lo} <= {what} <= {hi} failed."
                )))
            }
        };
        check("latitude", self.latitude, -90.0, 90.0)?;
        check("longitude", self.longitude, -180.0, 180.0)?;
        if self.accuracy.is_some_and(|a| a < 0.0) {
            return Err(BrowserError::InvalidArgument(
                "geolocation.accuracy: precondition 0 <= accuracy failed.".into(),
            ));
        }
        Ok(())
    }
}

/// Playwright's permission names and the Permissions API descriptor each stands for.
fn descriptor(name: &str) -> Option<browser::PermissionDescriptor> {
    let (api, sysex) = match name {
        "geolocation"
        | "notifications"
        | "camera"
        | "microphone"
        | "midi"
        | "clipboard-read"
        | "clipboard-write"
        | "background-sync"
        | "ambient-light-sensor"
        | "accelerometer"
        | "gyroscope"
        | "magnetometer"
        | "payment-handler"
        | "storage-access"
        | "local-fonts"
        | "local-network-access"
        | "idle-detection"
        | "screen-wake-lock" => (name, false),
        "midi-sysex" => ("midi", true),
        _ => return None,
    };
    let mut d = browser::PermissionDescriptor::new(api);
    if sysex {
        d.sysex = Some(true);
    }
    if name == "clipboard-write" {
        d.allow_without_sanitization = Some(true);
    }
    Some(d)
}

impl Context {
    /// Grants `permissions` (Playwright's names: `geolocation`, `notifications`,
    /// `clipboard-read`, …) to `origin`, or to every origin when `None`.
    pub async fn grant_permissions(
        &self,
        permissions: &[String],
        origin: Option<&str>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("granting permissions")?;
        let mut params = Vec::new();
        for name in permissions {
            let d = descriptor(name).ok_or_else(|| {
                BrowserError::InvalidArgument(format!("Unknown permission: {name}"))
            })?;
            let mut p = browser::SetPermissionParams::new(d, browser::PermissionSetting::Granted);
            p.origin = origin.map(str::to_string);
            p.browser_context_id = self.inner.id.clone();
            params.push(p);
        }
        for p in params {
            self.browser_command("Browser.setPermission", p).await?;
        }
        Ok(())
    }

    /// Takes back every permission granted to this context.
    pub async fn clear_permissions(&self) -> Result<(), BrowserError> {
        self.ensure_open("clearing permissions")?;
        let params = browser::ResetPermissionsParams {
            browser_context_id: self.inner.id.clone(),
        };
        self.browser_command("Browser.resetPermissions", params)
            .await?;
        Ok(())
    }

    /// The position every page of the context reports from now on (`None`: no override).
    pub async fn set_geolocation(&self, at: Option<Geolocation>) -> Result<(), BrowserError> {
        self.ensure_open("setting the geolocation")?;
        if let Some(g) = &at {
            g.validate()?;
        }
        if let Ok(mut g) = self.inner.geolocation.lock() {
            *g = at;
        }
        for page in self.pages() {
            page.apply_geolocation().await?;
        }
        Ok(())
    }

    pub(crate) fn geolocation(&self) -> Option<Geolocation> {
        self.inner.geolocation.lock().ok().and_then(|g| *g)
    }
}

impl Page {
    /// Makes the page report its context's geolocation (or clears the override).
    pub(crate) async fn apply_geolocation(&self) -> Result<(), BrowserError> {
        match self.context().geolocation() {
            Some(g) => {
                let params = emulation::SetGeolocationOverrideParams {
                    latitude: Some(g.latitude),
                    longitude: Some(g.longitude),
                    accuracy: Some(g.accuracy.unwrap_or(0.0)),
                    ..Default::default()
                };
                self.cdp()
                    .execute(params)
                    .await
                    .map_err(|e| cdp("Emulation.setGeolocationOverride", e))?;
            }
            None => {
                self.cdp()
                    .execute(emulation::ClearGeolocationOverrideParams::default())
                    .await
                    .map_err(|e| cdp("Emulation.clearGeolocationOverride", e))?;
            }
        }
        Ok(())
    }
}
