//! `keyboard.*` and `mouse.*`. The mouse's last position is kept per page, as `mouse.down` and
//! `mouse.up` act where the mouse is.

use isolate_browser_browser::ClickOptions;
use isolate_browser_browser::MouseButton;

use super::Cx;
use crate::suite::protocol::CallError;
use crate::suite::protocol::KeyArgs;
use crate::suite::protocol::MouseButtonArgs;
use crate::suite::protocol::MouseClickArgs;
use crate::suite::protocol::MouseMoveArgs;
use crate::suite::protocol::PageId;
use crate::suite::protocol::TextArgs;
use crate::suite::protocol::WheelArgs;
use crate::suite::protocol::millis;

fn last_position(cx: &Cx<'_>, page: PageId) -> Result<(f64, f64), CallError> {
    cx.side.with_session(cx.session, |s| {
        Ok(s.mouse.get(&page).copied().unwrap_or((0.0, 0.0)))
    })
}

fn moved_to(cx: &Cx<'_>, page: PageId, x: f64, y: f64) -> Result<(), CallError> {
    cx.side.with_session(cx.session, |s| {
        s.mouse.insert(page, (x, y));
        Ok(())
    })
}

pub(crate) async fn key_press(cx: &Cx<'_>, args: KeyArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    Ok(page.keyboard_press(&args.key, millis(args.delay)).await?)
}

pub(crate) async fn key_type(cx: &Cx<'_>, args: TextArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    Ok(page.keyboard_type(&args.text, millis(args.delay)).await?)
}

pub(crate) async fn key_down(cx: &Cx<'_>, args: KeyArgs) -> Result<(), CallError> {
    Ok(cx.page(args.page)?.keyboard_down(&args.key).await?)
}

pub(crate) async fn key_up(cx: &Cx<'_>, args: KeyArgs) -> Result<(), CallError> {
    Ok(cx.page(args.page)?.keyboard_up(&args.key).await?)
}

pub(crate) async fn insert_text(cx: &Cx<'_>, args: TextArgs) -> Result<(), CallError> {
    Ok(cx.page(args.page)?.keyboard_insert_text(&args.text).await?)
}

pub(crate) async fn mouse_move(cx: &Cx<'_>, args: MouseMoveArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    moved_to(cx, args.page, args.x, args.y)?;
    Ok(page.mouse_move(args.x, args.y).await?)
}

pub(crate) async fn mouse_click(cx: &Cx<'_>, args: MouseClickArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    moved_to(cx, args.page, args.x, args.y)?;
    let options: ClickOptions = args.options.into();
    Ok(page.mouse_click(args.x, args.y, &options).await?)
}

fn button(args: &MouseButtonArgs) -> MouseButton {
    args.button.map(Into::into).unwrap_or(MouseButton::Left)
}

pub(crate) async fn mouse_down(cx: &Cx<'_>, args: MouseButtonArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let (x, y) = last_position(cx, args.page)?;
    Ok(page.mouse_down(x, y, button(&args)).await?)
}

pub(crate) async fn mouse_up(cx: &Cx<'_>, args: MouseButtonArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let (x, y) = last_position(cx, args.page)?;
    Ok(page.mouse_up(x, y, button(&args)).await?)
}

pub(crate) async fn mouse_wheel(cx: &Cx<'_>, args: WheelArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let (x, y) = last_position(cx, args.page)?;
    Ok(page.mouse_wheel(x, y, args.delta_x, args.delta_y).await?)
}
