//! Keyboard and mouse input through CDP's `Input` domain: Playwright's key names
//! (`Enter`, `Control+A`, `Shift+ArrowLeft`), text typing, and mouse moves/clicks.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::input;

use crate::error::BrowserError;
use crate::error::cdp;
use crate::page::Page;

/// A key as CDP wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct KeyDef {
    key: String,
    code: String,
    key_code: i64,
    text: Option<String>,
    location: i64,
}

/// Modifier bits CDP uses.
const ALT: i64 = 1;
const CONTROL: i64 = 2;
const META: i64 = 4;
const SHIFT: i64 = 8;

fn modifier_bit(key: &str) -> Option<i64> {
    match key {
        "Alt" => Some(ALT),
        "Control" | "ControlOrMeta" => Some(CONTROL),
        "Meta" => Some(META),
        "Shift" => Some(SHIFT),
        _ => None,
    }
}

const NAMED: &[(&str, &str, i64, Option<&str>)] = &[
    ("Enter", "Enter", 13, Some("\r")),
    ("Tab", "Tab", 9, None),
    ("Backspace", "Backspace", 8, None),
    ("Delete", "Delete", 46, None),
    ("Escape", "Escape", 27, None),
    ("ArrowUp", "ArrowUp", 38, None),
    ("ArrowDown", "ArrowDown", 40, None),
    ("ArrowLeft", "ArrowLeft", 37, None),
    ("ArrowRight", "ArrowRight", 39, None),
    ("Home", "Home", 36, None),
    ("End", "End", 35, None),
    ("PageUp", "PageUp", 33, None),
    ("PageDown", "PageDown", 34, None),
    ("Insert", "Insert", 45, None),
    ("Space", "Space", 32, Some(" ")),
    (" ", "Space", 32, Some(" ")),
    ("Shift", "ShiftLeft", 16, None),
    ("Control", "ControlLeft", 17, None),
    ("ControlOrMeta", "ControlLeft", 17, None),
    ("Alt", "AltLeft", 18, None),
    ("Meta", "MetaLeft", 91, None),
    ("CapsLock", "CapsLock", 20, None),
];

/// US-layout punctuation: (unshifted, shifted, code, keyCode).
const PUNCTUATION: &[(char, char, &str, i64)] = &[
    ('-', '_', "Minus", 189),
    ('=', '+', "Equal", 187),
    ('[', '{', "BracketLeft", 219),
    (']', '}', "BracketRight", 221),
    ('\\', '|', "Backslash", 220),
    (';', ':', "Semicolon", 186),
    ('\'', '"', "Quote", 222),
    (',', '<', "Comma", 188),
    ('.', '>', "Period", 190),
    ('/', '?', "Slash", 191),
    ('`', '~', "Backquote", 192),
];

const SHIFTED_DIGITS: &str = ")!@#$%^&*(";

fn key_def(name: &str, shift: bool) -> Result<KeyDef, BrowserError> {
    if let Some((key, code, key_code, text)) = NAMED.iter().find(|(k, ..)| *k == name) {
        let location = if ["Shift", "Control", "Alt", "Meta", "ControlOrMeta"].contains(key) {
            1
        } else {
            0
        };
        return Ok(KeyDef {
            key: if *key == "Space" {
                " ".into()
            } else {
                (*key).to_string()
            },
            code: (*code).to_string(),
            key_code: *key_code,
            text: text.map(str::to_string),
            location,
        });
    }
    if let Some(n) = name.strip_prefix('F').and_then(|n| n.parse::<i64>().ok())
        && (1..=12).contains(&n)
    {
        return Ok(KeyDef {
            key: name.to_string(),
            code: name.to_string(),
            key_code: 111 + n,
            text: None,
            location: 0,
        });
    }
    let mut chars = name.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return Err(BrowserError::InvalidArgument(format!(
            "unknown key: \"{name}\""
        )));
    };
    if c.is_ascii_alphabetic() {
        let upper = c.to_ascii_uppercase();
        let ch = if shift || c.is_ascii_uppercase() {
            upper
        } else {
            c.to_ascii_lowercase()
        };
        return Ok(KeyDef {
            key: ch.to_string(),
            code: format!("Key{upper}"),
            key_code: upper as i64,
            text: Some(ch.to_string()),
            location: 0,
        });
    }
    if c.is_ascii_digit() {
        let d = c as usize - '0' as usize;
        let ch = if shift {
            SHIFTED_DIGITS.as_bytes()[d] as char
        } else {
            c
        };
        return Ok(KeyDef {
            key: ch.to_string(),
            code: format!("Digit{c}"),
            key_code: c as i64,
            text: Some(ch.to_string()),
            location: 0,
        });
    }
    for (plain, shifted, code, key_code) in PUNCTUATION {
        if c == *plain || c == *shifted {
            let ch = if shift { *shifted } else { c };
            return Ok(KeyDef {
                key: ch.to_string(),
                code: (*code).to_string(),
                key_code: *key_code,
                text: Some(ch.to_string()),
                location: 0,
            });
        }
    }
    // Any other character: typed as text without a physical key.
    Ok(KeyDef {
        key: c.to_string(),
        code: String::new(),
        key_code: 0,
        text: Some(c.to_string()),
        location: 0,
    })
}

/// Splits `Control+Shift+A` into modifiers and the key (`+` itself is a valid key).
fn split_combo(combo: &str) -> Result<(Vec<&str>, &str), BrowserError> {
    if combo.is_empty() {
        return Err(BrowserError::InvalidArgument("empty key".into()));
    }
    let mut tokens: Vec<&str> = Vec::new();
    let mut rest = combo;
    while let Some(i) = rest.find('+') {
        if i == 0 {
            break;
        }
        tokens.push(&rest[..i]);
        rest = &rest[i + 1..];
    }
    let key = if rest.is_empty() { "+" } else { rest };
    for m in &tokens {
        if modifier_bit(m).is_none() {
            return Err(BrowserError::InvalidArgument(format!(
                "unknown modifier \"{m}\" in \"{combo}\" (use Shift, Control, Alt, Meta or ControlOrMeta)"
            )));
        }
    }
    Ok((tokens, key))
}

impl Page {
    async fn key_event(
        &self,
        ty: input::DispatchKeyEventType,
        def: &KeyDef,
        modifiers: i64,
    ) -> Result<(), BrowserError> {
        let with_text = ty == input::DispatchKeyEventType::KeyDown
            && def.text.is_some()
            && modifiers & (CONTROL | ALT | META) == 0;
        let params = input::DispatchKeyEventParams {
            r#type: if ty == input::DispatchKeyEventType::KeyDown && !with_text {
                input::DispatchKeyEventType::RawKeyDown
            } else {
                ty
            },
            modifiers: Some(modifiers),
            timestamp: None,
            text: if with_text { def.text.clone() } else { None },
            unmodified_text: if with_text { def.text.clone() } else { None },
            key_identifier: None,
            code: Some(def.code.clone()),
            key: Some(def.key.clone()),
            windows_virtual_key_code: Some(def.key_code),
            native_virtual_key_code: Some(def.key_code),
            auto_repeat: None,
            is_keypad: None,
            is_system_key: None,
            location: Some(def.location),
            commands: None,
        };
        self.cdp()
            .execute(params)
            .await
            .map_err(|e| cdp("Input.dispatchKeyEvent", e))?;
        Ok(())
    }

    /// Presses a key or combination (`Enter`, `Control+A`, `Shift+ArrowLeft`) on the focused
    /// element.
    pub async fn keyboard_press(
        &self,
        combo: &str,
        delay: Option<Duration>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("pressing a key")?;
        let (mods, key) = split_combo(combo)?;
        let mut bits = 0;
        for m in &mods {
            let def = key_def(m, false)?;
            bits |= modifier_bit(m).unwrap_or(0);
            self.key_event(input::DispatchKeyEventType::KeyDown, &def, bits)
                .await?;
        }
        let def = key_def(key, bits & SHIFT != 0)?;
        self.key_event(input::DispatchKeyEventType::KeyDown, &def, bits)
            .await?;
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        self.key_event(input::DispatchKeyEventType::KeyUp, &def, bits)
            .await?;
        for m in mods.iter().rev() {
            let def = key_def(m, false)?;
            bits &= !modifier_bit(m).unwrap_or(0);
            self.key_event(input::DispatchKeyEventType::KeyUp, &def, bits)
                .await?;
        }
        Ok(())
    }

    /// Holds a key down.
    pub async fn keyboard_down(&self, key: &str) -> Result<(), BrowserError> {
        let def = key_def(key, false)?;
        self.key_event(input::DispatchKeyEventType::KeyDown, &def, 0)
            .await
    }

    /// Releases a key.
    pub async fn keyboard_up(&self, key: &str) -> Result<(), BrowserError> {
        let def = key_def(key, false)?;
        self.key_event(input::DispatchKeyEventType::KeyUp, &def, 0)
            .await
    }

    /// Types text key by key (keydown/keypress/input/keyup for each character).
    pub async fn keyboard_type(
        &self,
        text: &str,
        delay: Option<Duration>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("typing")?;
        for c in text.chars() {
            let s = c.to_string();
            let shift = c.is_ascii_uppercase()
                || SHIFTED_DIGITS.contains(c)
                || PUNCTUATION.iter().any(|(_, sh, ..)| *sh == c);
            let def = if c == '\n' {
                key_def("Enter", false)?
            } else {
                key_def(&s, shift)?
            };
            let bits = if shift { SHIFT } else { 0 };
            self.key_event(input::DispatchKeyEventType::KeyDown, &def, bits)
                .await?;
            self.key_event(input::DispatchKeyEventType::KeyUp, &def, bits)
                .await?;
            if let Some(d) = delay {
                tokio::time::sleep(d).await;
            }
        }
        Ok(())
    }

    /// Inserts text as if pasted (one `input` event, no key events).
    pub async fn keyboard_insert_text(&self, text: &str) -> Result<(), BrowserError> {
        self.ensure_open("inserting text")?;
        self.cdp()
            .execute(input::InsertTextParams::new(text))
            .await
            .map_err(|e| cdp("Input.insertText", e))?;
        Ok(())
    }

    async fn mouse_event(
        &self,
        ty: input::DispatchMouseEventType,
        x: f64,
        y: f64,
        button: MouseButton,
        click_count: i64,
        modifiers: i64,
    ) -> Result<(), BrowserError> {
        // The page tracks which buttons are held, so moves during a drag carry them.
        let held = &self.inner.mouse_buttons;
        match ty {
            input::DispatchMouseEventType::MousePressed => {
                held.fetch_or(button.bit(), std::sync::atomic::Ordering::SeqCst);
            }
            input::DispatchMouseEventType::MouseReleased => {
                held.fetch_and(!button.bit(), std::sync::atomic::Ordering::SeqCst);
            }
            _ => {}
        }
        let buttons = held.load(std::sync::atomic::Ordering::SeqCst);
        let button = if ty == input::DispatchMouseEventType::MouseMoved && buttons & 1 != 0 {
            MouseButton::Left
        } else {
            button
        };
        let mut params = input::DispatchMouseEventParams::new(ty, x, y);
        params.button = Some(button.cdp());
        params.buttons = Some(buttons);
        params.click_count = Some(click_count);
        params.modifiers = Some(modifiers);
        self.cdp()
            .execute(params)
            .await
            .map_err(|e| cdp("Input.dispatchMouseEvent", e))?;
        Ok(())
    }

    /// Moves the mouse to a point in the viewport (CSS pixels).
    pub async fn mouse_move(&self, x: f64, y: f64) -> Result<(), BrowserError> {
        self.ensure_open("moving the mouse")?;
        self.mouse_event(
            input::DispatchMouseEventType::MouseMoved,
            x,
            y,
            MouseButton::None,
            0,
            0,
        )
        .await
    }

    /// Clicks at a point: move, then `click_count` press/release pairs.
    pub async fn mouse_click(
        &self,
        x: f64,
        y: f64,
        options: &ClickOptions,
    ) -> Result<(), BrowserError> {
        use input::DispatchMouseEventType as T;
        self.ensure_open("clicking")?;
        let mods = modifiers_bits(&options.modifiers)?;
        let mut steps = vec![(T::MouseMoved, MouseButton::None, 0)];
        for n in 1..=options.click_count.max(1) {
            steps.push((T::MousePressed, options.button, n));
            steps.push((T::MouseReleased, options.button, n));
        }
        match options.delay {
            // CDP handles a session's commands in order, so the events are sent back to back
            // and their answers awaited together: one round trip instead of three.
            None => {
                let events = steps
                    .into_iter()
                    .map(|(ty, button, n)| self.mouse_event(ty, x, y, button, n, mods));
                futures::future::try_join_all(events).await?;
            }
            Some(delay) => {
                for (ty, button, n) in steps {
                    let release = ty == T::MouseReleased;
                    if release {
                        tokio::time::sleep(delay).await;
                    }
                    self.mouse_event(ty, x, y, button, n, mods).await?;
                }
            }
        }
        Ok(())
    }

    /// Presses a mouse button where the mouse is.
    pub async fn mouse_down(
        &self,
        x: f64,
        y: f64,
        button: MouseButton,
    ) -> Result<(), BrowserError> {
        self.mouse_event(
            input::DispatchMouseEventType::MousePressed,
            x,
            y,
            button,
            1,
            0,
        )
        .await
    }

    /// Releases a mouse button.
    pub async fn mouse_up(&self, x: f64, y: f64, button: MouseButton) -> Result<(), BrowserError> {
        self.mouse_event(
            input::DispatchMouseEventType::MouseReleased,
            x,
            y,
            button,
            1,
            0,
        )
        .await
    }

    /// Scrolls by a wheel delta at a point.
    pub async fn mouse_wheel(
        &self,
        x: f64,
        y: f64,
        delta_x: f64,
        delta_y: f64,
    ) -> Result<(), BrowserError> {
        let mut params =
            input::DispatchMouseEventParams::new(input::DispatchMouseEventType::MouseWheel, x, y);
        params.delta_x = Some(delta_x);
        params.delta_y = Some(delta_y);
        self.cdp()
            .execute(params)
            .await
            .map_err(|e| cdp("Input.dispatchMouseEvent", e))?;
        Ok(())
    }
}

/// A mouse button.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MouseButton {
    /// No button (moves).
    None,
    /// The primary button.
    #[default]
    Left,
    /// The wheel button.
    Middle,
    /// The secondary button.
    Right,
}

impl MouseButton {
    fn cdp(self) -> input::MouseButton {
        match self {
            Self::None => input::MouseButton::None,
            Self::Left => input::MouseButton::Left,
            Self::Middle => input::MouseButton::Middle,
            Self::Right => input::MouseButton::Right,
        }
    }

    fn bit(self) -> i64 {
        match self {
            Self::None => 0,
            Self::Left => 1,
            Self::Right => 2,
            Self::Middle => 4,
        }
    }
}

/// Options of a click (Playwright's `click()` options).
#[derive(Debug, Clone, Default)]
pub struct ClickOptions {
    /// Which button.
    pub button: MouseButton,
    /// 1 for click, 2 for double click.
    pub click_count: i64,
    /// Modifiers held during the click (`Shift`, `Control`, `Alt`, `Meta`).
    pub modifiers: Vec<String>,
    /// Where to click, relative to the element's top-left corner.
    pub position: Option<(f64, f64)>,
    /// Skip the actionability checks.
    pub force: bool,
    /// Only check actionability, do not click.
    pub trial: bool,
    /// Time between press and release.
    pub delay: Option<Duration>,
    /// Overrides the context's action timeout.
    pub timeout: Option<Duration>,
}

fn modifiers_bits(mods: &[String]) -> Result<i64, BrowserError> {
    let mut bits = 0;
    for m in mods {
        bits |= modifier_bit(m).ok_or_else(|| {
            BrowserError::InvalidArgument(format!(
                "unknown modifier \"{m}\" (use Shift, Control, Alt, Meta or ControlOrMeta)"
            ))
        })?;
    }
    Ok(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combos_split_into_modifiers_and_key() {
        assert_eq!(
            split_combo("Control+A").expect("ok"),
            (vec!["Control"], "A")
        );
        assert_eq!(split_combo("Shift++").expect("ok"), (vec!["Shift"], "+"));
        assert_eq!(split_combo("Enter").expect("ok"), (vec![], "Enter"));
        assert!(split_combo("Hyper+A").is_err());
    }

    #[test]
    fn keys_map_to_codes() {
        let a = key_def("a", true).expect("a");
        assert_eq!(
            (a.key.as_str(), a.code.as_str(), a.key_code),
            ("A", "KeyA", 65)
        );
        let enter = key_def("Enter", false).expect("enter");
        assert_eq!(enter.text.as_deref(), Some("\r"));
        assert_eq!(key_def("1", true).expect("!").key, "!");
        assert!(key_def("NoSuchKey", false).is_err());
    }
}
