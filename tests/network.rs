//! The join address in a real network namespace: the QR code follows the laptop's address,
//! the presenter's choice is remembered, and phones are counted by the address they came in on.
//!
//! The test runs itself again inside a new user and network namespace (`unshare -rn`),
//! where it may add interfaces and change their addresses without touching the machine's.

mod common;

use std::net::IpAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use common::{fast_heartbeat, TestServer, WsClient};
use futures_util::{SinkExt, StreamExt};
use handsup_core::DeckSource;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

const INSIDE: &str = "HANDSUP_TEST_INSIDE_NETNS";
const TEST: &str = "the_qr_code_follows_the_laptops_address_and_the_presenters_choice";

#[test]
fn the_qr_code_follows_the_laptops_address_and_the_presenters_choice() -> Result<()> {
    if std::env::var_os(INSIDE).is_some() {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        return runtime.block_on(inside_the_namespace());
    }
    let exe = std::env::current_exe()?;
    let output = Command::new("unshare")
        .args(["--map-root-user", "--net", "--"])
        .arg(&exe)
        .args(["--exact", TEST, "--nocapture", "--test-threads=1"])
        .env(INSIDE, "1")
        .output()
        .context("cannot run unshare (util-linux): this test needs user and network namespaces")?;
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    eprintln!("{said}");
    ensure!(output.status.success(), "the test inside a network namespace failed:\n{said}");
    ensure!(said.contains("1 passed"), "the test did not run inside the namespace:\n{said}");
    Ok(())
}

fn ip(args: &str) -> Result<()> {
    let status = Command::new("ip").args(args.split_whitespace()).status().context("cannot run ip (iproute2)")?;
    ensure!(status.success(), "ip {args} failed");
    Ok(())
}

/// Several changes from one `ip` process, as close together as a DHCP client makes them.
fn ip_batch(commands: &[&str]) -> Result<()> {
    use std::io::Write;
    let mut child = Command::new("ip")
        .args(["-batch", "-"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .context("cannot run ip (iproute2)")?;
    child.stdin.take().context("ip's input")?.write_all(commands.join("\n").as_bytes())?;
    let status = child.wait()?;
    ensure!(status.success(), "ip -batch {commands:?} failed");
    Ok(())
}

/// A pair of virtual Ethernet ends, the first named as a laptop's would be, up, with `address`.
fn interface(name: &str, address: &str) -> Result<()> {
    ip(&format!("link add {name} type veth peer name {name}-peer"))?;
    ip(&format!("addr add {address} dev {name}"))?;
    ip(&format!("link set {name} up"))?;
    ip(&format!("link set {name}-peer up"))
}

async fn next_join(presenter: &mut WsClient, what: &str, wanted: impl Fn(&Value) -> bool) -> Result<Value> {
    presenter.wait_for(what, |frame| frame["type"] == "join" && wanted(frame)).await
}

async fn inside_the_namespace() -> Result<()> {
    ip("link set lo up")?;
    interface("wlan0", "10.20.30.40/24")?;
    interface("eth0", "192.168.77.5/24")?;
    let dir = tempfile::tempdir()?;
    let data = dir.path().join("data");
    let mut server = TestServer::start_on_every_interface(&data, DeckSource::Demo, fast_heartbeat()).await?;
    let port = server.participant_url.rsplit(':').next().context("port")?.trim_end_matches('/').to_string();
    ensure!(server.participant_url == format!("http://10.20.30.40:{port}/"), "Wi-Fi first: {}", server.participant_url);

    let mut presenter = server.presenter().await?;
    let join = next_join(&mut presenter, "the join frame", |_| true).await?;
    let names: Vec<&str> =
        join["candidates"].as_array().context("candidates")?.iter().filter_map(|c| c["interface"].as_str()).collect();
    ensure!(names == ["wlan0", "eth0"], "the picker's list, best first: {names:?}");
    ensure!(join["kind"] == "wifi" && join["fixed"] == false, "{join}");

    // A phone through the Wi-Fi address: the presenter sees where it came from, and its round trips.
    let phone_url = format!("ws://10.20.30.40:{port}/ws");
    let mut phone = WsClient::raw(&phone_url, &format!("http://10.20.30.40:{port}")).await?;
    phone.send(Message::text(json!({"type": "hello", "participant": "netns-phone-1"}).to_string())).await?;
    // A phone reads all the time, as a browser does: that is when it answers the heartbeat.
    let reading = tokio::spawn(async move { while let Some(Ok(_)) = phone.next().await {} });
    let room = presenter
        .wait_for("the phone counted on its address, with round trips", |f| {
            f["type"] == "room"
                && f["via"] == json!([{"address": "10.20.30.40", "phones": 1}])
                && f["round_trips"].is_object()
        })
        .await?;
    ensure!(room["round_trips"]["saturated"] == false, "{room}");
    reading.abort();

    // The Wi-Fi's address changes mid-talk (a DHCP renewal): the QR code follows within 5 s.
    let changed = Instant::now();
    ip_batch(&["addr del 10.20.30.40/24 dev wlan0", "addr add 10.20.30.41/24 dev wlan0"])?;
    let moved =
        next_join(&mut presenter, "the new address", |f| f["url"].as_str().is_some_and(|u| u.contains("10.20.30.41")))
            .await?;
    let took = changed.elapsed();
    eprintln!("the QR code followed the address in {} ms", took.as_millis());
    ensure!(took < Duration::from_secs(5), "followed after {took:?}");
    // A check that falls between the two changes sees Wi-Fi with no address and moves to the
    // cable for a moment, as it should: the move back then comes from the cable's address.
    let from = &moved["moved"]["from"];
    ensure!((from == "10.20.30.40" || from == "192.168.77.5") && moved["moved"]["to"] == "10.20.30.41", "{moved}");
    ensure!(moved["qr_svg"].as_str().is_some_and(|svg| svg.contains("<svg")), "a new QR code");
    // Phones open the new address.
    let page = common::http_get(&format!("http://10.20.30.41:{port}/")).await?;
    ensure!(page.0.to_ascii_lowercase().starts_with("http/1.1 200"), "{}", page.0);

    // The presenter picks the cable; it is remembered for the next start.
    presenter.send(json!({"type": "choose_network", "interface": "eth0"})).await?;
    let chosen = next_join(&mut presenter, "the chosen network", |f| f["interface"] == "eth0").await?;
    ensure!(chosen["url"] == format!("http://192.168.77.5:{port}/") && chosen["moved"].is_null(), "{chosen}");
    presenter.send(json!({"type": "choose_network", "interface": "usb9"})).await?;
    let refused = presenter.wait_type("error").await?;
    ensure!(refused["message"].as_str().is_some_and(|m| m.contains("usb9")), "{refused}");
    server.stop().await?;
    let stored: String =
        server
            .database()?
            .query_row("SELECT value FROM settings WHERE key = 'network_interface'", [], |row| row.get(0))?;
    ensure!(stored == "eth0", "{stored}");
    let mut again = TestServer::start_on_every_interface(&data, DeckSource::Demo, fast_heartbeat()).await?;
    ensure!(again.participant_url.starts_with("http://192.168.77.5:"), "remembered: {}", again.participant_url);

    // The chosen cable unplugged: the best address until it comes back.
    let mut presenter = again.presenter().await?;
    next_join(&mut presenter, "the join frame", |f| f["interface"] == "eth0").await?;
    ip("link del eth0")?;
    let fallback = next_join(&mut presenter, "back to the Wi-Fi", |f| f["interface"] == "wlan0").await?;
    let address: IpAddr = "10.20.30.41".parse()?;
    ensure!(fallback["moved"]["to"] == json!(address), "{fallback}");
    again.stop().await
}
