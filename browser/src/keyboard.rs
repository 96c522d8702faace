//! The keyboard through CDP's `Input` domain, as Playwright models it: a US layout where every
//! key has a code (`KeyA`, `Digit1`, `NumpadEnter`, `ShiftLeft`), a key value and maybe a
//! shifted one; keys named by code or by value (`a`, `!`, `Enter`, `Shift`); a per-page state of
//! held keys, so a modifier is in its own keydown's state, Shift changes what later keys type,
//! a key pressed while held repeats, and mouse events carry the held modifiers.

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::input;

use crate::error::BrowserError;
use crate::error::cdp;
use crate::page::Page;

/// Modifier bits CDP uses.
pub(crate) const ALT: i64 = 1;
pub(crate) const CONTROL: i64 = 2;
pub(crate) const META: i64 = 4;
pub(crate) const SHIFT: i64 = 8;

/// One physical key: code, key value, shifted key value, Windows key code, location
/// (0 standard, 1 left, 2 right, 3 numpad).
type Physical = (&'static str, &'static str, Option<&'static str>, i64, i64);

/// The keys that are not letters or digits (those are made by [`physical`]).
const KEYS: &[Physical] = &[
    ("Escape", "Escape", None, 27, 0),
    ("Backquote", "`", Some("~"), 192, 0),
    ("Minus", "-", Some("_"), 189, 0),
    ("Equal", "=", Some("+"), 187, 0),
    ("Backslash", "\\", Some("|"), 220, 0),
    ("Backspace", "Backspace", None, 8, 0),
    ("Tab", "Tab", None, 9, 0),
    ("BracketLeft", "[", Some("{"), 219, 0),
    ("BracketRight", "]", Some("}"), 221, 0),
    ("CapsLock", "CapsLock", None, 20, 0),
    ("Semicolon", ";", Some(":"), 186, 0),
    ("Quote", "'", Some("\""), 222, 0),
    ("Enter", "Enter", None, 13, 0),
    ("ShiftLeft", "Shift", None, 16, 1),
    ("Comma", ",", Some("<"), 188, 0),
    ("Period", ".", Some(">"), 190, 0),
    ("Slash", "/", Some("?"), 191, 0),
    ("ShiftRight", "Shift", None, 16, 2),
    ("ControlLeft", "Control", None, 17, 1),
    ("MetaLeft", "Meta", None, 91, 1),
    ("AltLeft", "Alt", None, 18, 1),
    ("Space", " ", None, 32, 0),
    ("AltRight", "Alt", None, 18, 2),
    ("AltGraph", "AltGraph", None, 225, 0),
    ("MetaRight", "Meta", None, 92, 2),
    ("ContextMenu", "ContextMenu", None, 93, 0),
    ("ControlRight", "Control", None, 17, 2),
    ("PrintScreen", "PrintScreen", None, 44, 0),
    ("ScrollLock", "ScrollLock", None, 145, 0),
    ("Pause", "Pause", None, 19, 0),
    ("PageUp", "PageUp", None, 33, 0),
    ("PageDown", "PageDown", None, 34, 0),
    ("Insert", "Insert", None, 45, 0),
    ("Delete", "Delete", None, 46, 0),
    ("Home", "Home", None, 36, 0),
    ("End", "End", None, 35, 0),
    ("ArrowLeft", "ArrowLeft", None, 37, 0),
    ("ArrowUp", "ArrowUp", None, 38, 0),
    ("ArrowRight", "ArrowRight", None, 39, 0),
    ("ArrowDown", "ArrowDown", None, 40, 0),
    ("NumLock", "NumLock", None, 144, 0),
    ("NumpadDivide", "/", None, 111, 3),
    ("NumpadMultiply", "*", None, 106, 3),
    ("NumpadSubtract", "-", None, 109, 3),
    ("NumpadAdd", "+", None, 107, 3),
    ("NumpadEnter", "Enter", None, 13, 3),
    ("NumpadDecimal", ".", Some("Delete"), 110, 3),
    ("Numpad0", "0", Some("Insert"), 96, 3),
    ("Numpad1", "1", Some("End"), 97, 3),
    ("Numpad2", "2", Some("ArrowDown"), 98, 3),
    ("Numpad3", "3", Some("PageDown"), 99, 3),
    ("Numpad4", "4", Some("ArrowLeft"), 100, 3),
    ("Numpad5", "5", Some("Clear"), 101, 3),
    ("Numpad6", "6", Some("ArrowRight"), 102, 3),
    ("Numpad7", "7", Some("Home"), 103, 3),
    ("Numpad8", "8", Some("ArrowUp"), 104, 3),
    ("Numpad9", "9", Some("PageUp"), 105, 3),
    ("AudioVolumeMute", "AudioVolumeMute", None, 173, 0),
    ("AudioVolumeDown", "AudioVolumeDown", None, 174, 0),
    ("AudioVolumeUp", "AudioVolumeUp", None, 175, 0),
    ("MediaTrackNext", "MediaTrackNext", None, 176, 0),
    ("MediaTrackPrevious", "MediaTrackPrevious", None, 177, 0),
    ("MediaStop", "MediaStop", None, 178, 0),
    ("MediaPlayPause", "MediaPlayPause", None, 179, 0),
];

const LETTERS: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &str = "0123456789";
const SHIFTED_DIGITS: &str = ")!@#$%^&*(";

/// A key as CDP wants it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyDef {
    pub key: String,
    pub code: String,
    pub key_code: i64,
    pub text: Option<String>,
    pub location: i64,
    /// What Shift makes of it, if anything.
    shifted: Option<String>,
}

fn def_of(code: &str, key: &str, shifted: Option<&str>, key_code: i64, location: i64) -> KeyDef {
    let text = match key {
        "Enter" => Some("\r".to_string()),
        k if k.chars().count() == 1 => Some(k.to_string()),
        _ => None,
    };
    KeyDef {
        key: key.to_string(),
        code: code.to_string(),
        key_code,
        text,
        location,
        shifted: shifted.map(str::to_string),
    }
}

/// Every physical key of the layout, letters and digits included.
fn physical() -> impl Iterator<Item = KeyDef> {
    let letters = LETTERS.chars().map(|c| {
        let lower = c.to_ascii_lowercase().to_string();
        let upper = c.to_string();
        def_of(&format!("Key{c}"), &lower, Some(&upper), c as i64, 0)
    });
    let digits = DIGITS.chars().zip(SHIFTED_DIGITS.chars()).map(|(d, s)| {
        def_of(
            &format!("Digit{d}"),
            &d.to_string(),
            Some(&s.to_string()),
            d as i64,
            0,
        )
    });
    let functions = (1..=24).map(|n| def_of(&format!("F{n}"), &format!("F{n}"), None, 111 + n, 0));
    let rest = KEYS.iter().map(|(code, key, shifted, key_code, location)| {
        def_of(code, key, *shifted, *key_code, *location)
    });
    letters.chain(digits).chain(functions).chain(rest)
}

/// The key a name means: a code (`KeyA`), a key value (`a`, `A`, `!`, `Shift`: the first key
/// that has it, as its plain or shifted value), or an alias (`ControlOrMeta` is `Control` on
/// this platform; `\n` and `\r` are Enter).
pub(crate) fn lookup(name: &str) -> Result<KeyDef, BrowserError> {
    let name = match name {
        "ControlOrMeta" => "Control",
        "\n" | "\r" => "Enter",
        other => other,
    };
    if let Some(def) = physical().find(|d| d.code == name) {
        return Ok(def);
    }
    // Main keys before the numpad's: `-` is Minus, `+` is Shift+Equal, not NumpadAdd.
    if let Some(def) = physical().find(|d| d.key == name && d.location != 3) {
        return Ok(def);
    }
    if let Some(def) = physical().find(|d| d.shifted.as_deref() == Some(name) && d.location != 3) {
        // The shifted value itself (`!`): typed without an implied Shift, as in Playwright.
        return Ok(def_of(&def.code, name, None, def.key_code, def.location));
    }
    if let Some(def) = physical().find(|d| d.key == name) {
        return Ok(def);
    }
    Err(BrowserError::InvalidArgument(format!(
        "Unknown key: \"{name}\""
    )))
}

/// The modifier bit a key sets while held.
fn modifier_bit(key: &str) -> i64 {
    match key {
        "Alt" => ALT,
        "Control" => CONTROL,
        "Meta" => META,
        "Shift" => SHIFT,
        _ => 0,
    }
}

/// Modifier names as click options give them (`Shift`, `ControlOrMeta`, ...), as CDP bits.
pub(crate) fn modifiers_bits(mods: &[String]) -> Result<i64, BrowserError> {
    let mut bits = 0;
    for m in mods {
        let bit = match m.as_str() {
            "ControlOrMeta" => CONTROL,
            other => modifier_bit(other),
        };
        if bit == 0 {
            return Err(BrowserError::InvalidArgument(format!(
                "unknown modifier \"{m}\" (use Shift, Control, Alt, Meta or ControlOrMeta)"
            )));
        }
        bits |= bit;
    }
    Ok(bits)
}

/// Splits `Control+Shift+A` into its keys (`+` itself is a key: `Shift++`).
fn split_combo(combo: &str) -> Result<Vec<&str>, BrowserError> {
    if combo.is_empty() {
        return Err(BrowserError::InvalidArgument("empty key".into()));
    }
    let mut tokens = Vec::new();
    let mut rest = combo;
    while let Some(i) = rest.find('+') {
        if i == 0 {
            break;
        }
        tokens.push(&rest[..i]);
        rest = &rest[i + 1..];
    }
    tokens.push(if rest.is_empty() { "+" } else { rest });
    Ok(tokens)
}

/// The keys a page holds down (codes) and the modifier bits they set.
#[derive(Debug, Default)]
pub(crate) struct KeyboardState {
    held: Vec<String>,
    pub modifiers: i64,
}

impl Page {
    /// The modifier bits the keyboard holds now.
    pub(crate) fn held_modifiers(&self) -> i64 {
        self.inner.keyboard.lock().map(|k| k.modifiers).unwrap_or(0)
    }

    fn keyboard_state(&self) -> Result<std::sync::MutexGuard<'_, KeyboardState>, BrowserError> {
        self.inner
            .keyboard
            .lock()
            .map_err(|_| BrowserError::InvalidArgument("keyboard state poisoned".into()))
    }

    async fn key_event(
        &self,
        ty: input::DispatchKeyEventType,
        def: &KeyDef,
        modifiers: i64,
        auto_repeat: bool,
    ) -> Result<(), BrowserError> {
        let down = ty == input::DispatchKeyEventType::KeyDown;
        // Text only without Control, Alt or Meta (Shift's effect is in the key already).
        let text = def
            .text
            .clone()
            .filter(|_| down && modifiers & (CONTROL | ALT | META) == 0);
        let params = input::DispatchKeyEventParams {
            r#type: if down && text.is_none() {
                input::DispatchKeyEventType::RawKeyDown
            } else {
                ty
            },
            modifiers: Some(modifiers),
            timestamp: None,
            unmodified_text: text.clone(),
            text,
            key_identifier: None,
            code: Some(def.code.clone()),
            key: Some(def.key.clone()),
            windows_virtual_key_code: Some(def.key_code),
            native_virtual_key_code: Some(def.key_code),
            auto_repeat: Some(auto_repeat),
            is_keypad: Some(def.location == 3),
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

    /// Holds a key down (`keyboard.down`): a modifier is in its own keydown's state; a key
    /// already held repeats.
    pub async fn keyboard_down(&self, key: &str) -> Result<(), BrowserError> {
        self.ensure_open("pressing a key")?;
        let mut def = lookup(key)?;
        let (modifiers, repeat) = {
            let mut k = self.keyboard_state()?;
            let repeat = k.held.contains(&def.code);
            if !repeat {
                k.held.push(def.code.clone());
            }
            k.modifiers |= modifier_bit(&def.key);
            (k.modifiers, repeat)
        };
        if modifiers & SHIFT != 0
            && let Some(shifted) = def.shifted.clone()
        {
            def.text = (shifted.chars().count() == 1).then(|| shifted.clone());
            def.key = shifted;
        }
        self.key_event(
            input::DispatchKeyEventType::KeyDown,
            &def,
            modifiers,
            repeat,
        )
        .await
    }

    /// Releases a key (`keyboard.up`): a modifier is no longer in its own keyup's state.
    pub async fn keyboard_up(&self, key: &str) -> Result<(), BrowserError> {
        self.ensure_open("releasing a key")?;
        let mut def = lookup(key)?;
        let modifiers = {
            let mut k = self.keyboard_state()?;
            k.held.retain(|c| *c != def.code);
            k.modifiers &= !modifier_bit(&def.key);
            k.modifiers
        };
        if modifiers & SHIFT != 0
            && let Some(shifted) = def.shifted.clone()
        {
            def.key = shifted;
        }
        self.key_event(input::DispatchKeyEventType::KeyUp, &def, modifiers, false)
            .await
    }

    /// Presses a key or a chord (`Enter`, `Control+A`, `Shift+ArrowLeft`): every key of the
    /// chord down in order, then up in reverse, `delay` between the last key's down and up.
    pub async fn keyboard_press(
        &self,
        combo: &str,
        delay: Option<Duration>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("pressing a key")?;
        let keys = split_combo(combo)?;
        // Every name is checked before any key goes down, so a typo leaves nothing held.
        for k in &keys {
            lookup(k)?;
        }
        for k in &keys {
            self.keyboard_down(k).await?;
        }
        if let Some(d) = delay {
            tokio::time::sleep(d).await;
        }
        for k in keys.iter().rev() {
            self.keyboard_up(k).await?;
        }
        Ok(())
    }

    /// Types text: a character the layout has is pressed as its key, any other is inserted.
    pub async fn keyboard_type(
        &self,
        text: &str,
        delay: Option<Duration>,
    ) -> Result<(), BrowserError> {
        self.ensure_open("typing")?;
        for c in text.chars() {
            let s = c.to_string();
            if lookup(&s).is_ok() {
                self.keyboard_press(if c == '+' { "+" } else { &s }, None)
                    .await?;
            } else {
                self.keyboard_insert_text(&s).await?;
            }
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chords_split_into_keys() {
        assert_eq!(split_combo("Control+A").expect("ok"), vec!["Control", "A"]);
        assert_eq!(split_combo("Shift++").expect("ok"), vec!["Shift", "+"]);
        assert_eq!(split_combo("Enter").expect("ok"), vec!["Enter"]);
    }

    #[test]
    fn keys_are_found_by_code_value_and_shifted_value() {
        let a = lookup("KeyA").expect("KeyA");
        assert_eq!(
            (a.key.as_str(), a.key_code, a.shifted.as_deref()),
            ("a", 65, Some("A"))
        );
        let bang = lookup("!").expect("!");
        assert_eq!((bang.code.as_str(), bang.key.as_str()), ("Digit1", "!"));
        assert_eq!(lookup("Shift").expect("Shift").code, "ShiftLeft");
        assert_eq!(lookup("ControlOrMeta").expect("alias").key, "Control");
        let enter = lookup("NumpadEnter").expect("NumpadEnter");
        assert_eq!(
            (enter.key.as_str(), enter.location, enter.text.as_deref()),
            ("Enter", 3, Some("\r"))
        );
        assert_eq!(lookup("F24").expect("F24").key_code, 135);
        let err = lookup("NotARealKey").expect_err("unknown");
        assert!(
            err.to_string().contains("Unknown key: \"NotARealKey\""),
            "{err}"
        );
    }
}
