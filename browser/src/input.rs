//! The mouse through CDP's `Input` domain: moves (in steps), clicks, buttons held, the wheel.
//! Events carry the modifiers the keyboard holds ([`crate::keyboard`]).

use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::input;

use crate::error::BrowserError;
use crate::error::cdp;
use crate::page::Page;

use crate::keyboard::modifiers_bits;

impl Page {
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
        if let Ok(mut at) = self.inner.mouse_position.lock() {
            *at = (x, y);
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
        // A held button presses as a pen would at half force (PointerEvent.pressure 0.5).
        params.force = Some(if buttons != 0 { 0.5 } else { 0.0 });
        self.cdp()
            .execute(params)
            .await
            .map_err(|e| cdp("Input.dispatchMouseEvent", e))?;
        Ok(())
    }

    /// Where the mouse is (CSS pixels in the viewport): where the last mouse event was.
    pub fn mouse_position(&self) -> (f64, f64) {
        self.inner
            .mouse_position
            .lock()
            .map(|p| *p)
            .unwrap_or_default()
    }

    /// Moves the mouse to a point in the viewport (CSS pixels).
    pub async fn mouse_move(&self, x: f64, y: f64) -> Result<(), BrowserError> {
        self.mouse_move_steps(x, y, 1).await
    }

    /// Moves the mouse in `steps` even moves from where it is (`mouse.move(x, y, { steps })`).
    pub async fn mouse_move_steps(&self, x: f64, y: f64, steps: u32) -> Result<(), BrowserError> {
        self.ensure_open("moving the mouse")?;
        let (fx, fy) = self.mouse_position();
        let steps = steps.max(1);
        for i in 1..=steps {
            let t = f64::from(i) / f64::from(steps);
            self.mouse_event(
                input::DispatchMouseEventType::MouseMoved,
                fx + (x - fx) * t,
                fy + (y - fy) * t,
                MouseButton::None,
                0,
                self.held_modifiers(),
            )
            .await?;
        }
        Ok(())
    }

    /// Clicks at a point: move, then `click_count` press/release pairs. The click's own
    /// modifiers, when it names some, replace what the keyboard holds.
    pub async fn mouse_click(
        &self,
        x: f64,
        y: f64,
        options: &ClickOptions,
    ) -> Result<(), BrowserError> {
        use input::DispatchMouseEventType as T;
        self.ensure_open("clicking")?;
        let mods = match &options.modifiers {
            None => self.held_modifiers(),
            Some(m) => modifiers_bits(m)?,
        };
        // `steps` moves in all: the first `steps - 1` on the way, the last with the press.
        let (fx, fy) = self.mouse_position();
        for i in 1..options.steps.max(1) {
            let t = f64::from(i) / f64::from(options.steps);
            self.mouse_event(
                T::MouseMoved,
                fx + (x - fx) * t,
                fy + (y - fy) * t,
                MouseButton::None,
                0,
                mods,
            )
            .await?;
        }
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
        button: MouseButton,
        click_count: i64,
    ) -> Result<(), BrowserError> {
        self.ensure_open("pressing a mouse button")?;
        self.mouse_button_here(
            input::DispatchMouseEventType::MousePressed,
            button,
            click_count,
        )
        .await
    }

    /// Releases a mouse button where the mouse is.
    pub async fn mouse_up(
        &self,
        button: MouseButton,
        click_count: i64,
    ) -> Result<(), BrowserError> {
        self.ensure_open("releasing a mouse button")?;
        self.mouse_button_here(
            input::DispatchMouseEventType::MouseReleased,
            button,
            click_count,
        )
        .await
    }

    /// A press or release at the mouse's position, with the keyboard's modifiers.
    async fn mouse_button_here(
        &self,
        ty: input::DispatchMouseEventType,
        button: MouseButton,
        click_count: i64,
    ) -> Result<(), BrowserError> {
        let (x, y) = self.mouse_position();
        self.mouse_event(ty, x, y, button, click_count.max(1), self.held_modifiers())
            .await
    }

    /// Scrolls by a wheel delta where the mouse is.
    pub async fn mouse_wheel(&self, delta_x: f64, delta_y: f64) -> Result<(), BrowserError> {
        self.ensure_open("turning the mouse wheel")?;
        let (x, y) = self.mouse_position();
        let mut params =
            input::DispatchMouseEventParams::new(input::DispatchMouseEventType::MouseWheel, x, y);
        params.delta_x = Some(delta_x);
        params.delta_y = Some(delta_y);
        params.modifiers = Some(self.held_modifiers());
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
    /// Modifiers held during the click (`Shift`, `Control`, `Alt`, `Meta`) instead of those
    /// the keyboard holds; `None` keeps the keyboard's.
    pub modifiers: Option<Vec<String>>,
    /// Mouse moves on the way to the point (1: straight there).
    pub steps: u32,
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
