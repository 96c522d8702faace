//! `keyboard.*` and `mouse.*`. The page keeps the mouse's position and the keys held.

use isolate_browser_browser::ClickOptions;
use isolate_browser_browser::MouseButton;

use super::Cx;
use crate::suite::protocol::CallError;
use crate::suite::protocol::KeyArgs;
use crate::suite::protocol::MouseButtonArgs;
use crate::suite::protocol::MouseClickArgs;
use crate::suite::protocol::MouseMoveArgs;
use crate::suite::protocol::TextArgs;
use crate::suite::protocol::WheelArgs;
use crate::suite::protocol::millis;

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
    Ok(page
        .mouse_move_steps(args.x, args.y, args.steps.unwrap_or(1))
        .await?)
}

pub(crate) async fn mouse_click(cx: &Cx<'_>, args: MouseClickArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    let options: ClickOptions = args.options.into();
    Ok(page.mouse_click(args.x, args.y, &options).await?)
}

fn button(args: &MouseButtonArgs) -> MouseButton {
    args.button.map(Into::into).unwrap_or(MouseButton::Left)
}

pub(crate) async fn mouse_down(cx: &Cx<'_>, args: MouseButtonArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    Ok(page
        .mouse_down(button(&args), args.click_count.unwrap_or(1))
        .await?)
}

pub(crate) async fn mouse_up(cx: &Cx<'_>, args: MouseButtonArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    Ok(page
        .mouse_up(button(&args), args.click_count.unwrap_or(1))
        .await?)
}

pub(crate) async fn mouse_wheel(cx: &Cx<'_>, args: WheelArgs) -> Result<(), CallError> {
    let page = cx.page(args.page)?;
    Ok(page.mouse_wheel(args.delta_x, args.delta_y).await?)
}
