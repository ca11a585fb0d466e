//! Which of the machine's addresses the phones should use, and the listening sockets.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use tokio::net::{TcpListener, TcpSocket};

/// Deep enough that a room of phones connecting at once is not turned away
/// (tokio's default backlog is 1,024).
const LISTEN_BACKLOG: u32 = 4096;

/// Binds a listener with a deep backlog. `SO_REUSEADDR` lets a restarted
/// server take its port back at once instead of waiting out TIME_WAIT.
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() { TcpSocket::new_v4()? } else { TcpSocket::new_v6()? };
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The best address for the QR code, or `None` when the machine has no network.
pub fn lan_address() -> Option<Ipv4Addr> {
    let interfaces = match local_ip_address::list_afinet_netifas() {
        Ok(interfaces) => interfaces,
        Err(error) => {
            tracing::warn!(%error, "cannot list network interfaces");
            return None;
        }
    };
    rank_addresses(&interfaces).into_iter().next()
}

/// The name of the interface that holds `ip` (`wlan0`, `Wi-Fi`…).
pub fn interface_name(ip: IpAddr) -> Option<String> {
    let interfaces = local_ip_address::list_afinet_netifas().ok()?;
    interfaces.into_iter().find(|(_, addr)| *addr == ip).map(|(name, _)| name)
}

/// Usable IPv4 addresses, best first: Wi-Fi, then Ethernet and others, then
/// virtual adapters (VPNs, containers, virtual machines) that phones cannot reach.
pub fn rank_addresses(interfaces: &[(String, IpAddr)]) -> Vec<Ipv4Addr> {
    let mut ranked: Vec<(u8, bool, &str, Ipv4Addr)> = interfaces
        .iter()
        .filter_map(|(name, addr)| match addr {
            IpAddr::V4(v4)
                if !v4.is_loopback() && !v4.is_link_local() && !v4.is_unspecified() && !v4.is_multicast() =>
            {
                Some((rank(name, *v4), !v4.is_private(), name.as_str(), *v4))
            }
            _ => None,
        })
        .collect();
    ranked.sort();
    ranked.into_iter().map(|(_, _, _, addr)| addr).collect()
}

fn rank(name: &str, addr: Ipv4Addr) -> u8 {
    const VIRTUAL: &[&str] = &[
        "docker",
        "br-",
        "virbr",
        "veth",
        "vmnet",
        "vbox",
        "virtualbox",
        "vmware",
        "hyper-v",
        "vethernet",
        "wsl",
        "tun",
        "tap",
        "wg",
        "utun",
        "tailscale",
        "zt",
        "zerotier",
        "ppp",
        "ipsec",
        "nordlynx",
        "lxc",
        "lxd",
        "podman",
        "cni",
        "flannel",
        "kube",
        "vpn",
        "anyconnect",
        "cisco",
        "fortinet",
    ];
    let name = name.to_ascii_lowercase();
    let octets = addr.octets();
    let virtualbox_host_only = octets[0] == 192 && octets[1] == 168 && octets[2] == 56;
    // 100.64.0.0/10 is carrier-grade NAT space, where Tailscale and similar VPNs live.
    let shared_space = octets[0] == 100 && (64..128).contains(&octets[1]);
    if VIRTUAL.iter().any(|marker| name.starts_with(marker) || name.contains(marker))
        || virtualbox_host_only
        || shared_space
    {
        3
    } else if name.starts_with("wl")
        || name.contains("wi-fi")
        || name.contains("wifi")
        || name.contains("wireless")
        || name.contains("airport")
    {
        0
    } else if octets == [192, 168, 137, 1] {
        // Windows' mobile hotspot: right only when the phones joined the laptop's own hotspot.
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }

    #[test]
    fn prefers_wifi_over_ethernet_over_virtual() {
        let interfaces = vec![
            ("lo".to_string(), v4(127, 0, 0, 1)),
            ("docker0".to_string(), v4(172, 17, 0, 1)),
            ("tun0".to_string(), v4(10, 8, 0, 2)),
            ("vboxnet0".to_string(), v4(192, 168, 56, 1)),
            ("enp3s0".to_string(), v4(192, 168, 1, 30)),
            ("wlp2s0".to_string(), v4(10, 0, 0, 12)),
            ("eth9".to_string(), v4(169, 254, 3, 4)),
            ("tailscale0".to_string(), v4(100, 101, 1, 2)),
        ];
        assert_eq!(
            rank_addresses(&interfaces),
            vec![
                Ipv4Addr::new(10, 0, 0, 12),
                Ipv4Addr::new(192, 168, 1, 30),
                // Virtual adapters last: private ones by name, then the rest.
                Ipv4Addr::new(172, 17, 0, 1),
                Ipv4Addr::new(10, 8, 0, 2),
                Ipv4Addr::new(192, 168, 56, 1),
                Ipv4Addr::new(100, 101, 1, 2),
            ]
        );
    }

    #[test]
    fn windows_names_and_offline_machines() {
        let interfaces = vec![
            ("vEthernet (WSL)".to_string(), v4(172, 20, 16, 1)),
            ("Wi-Fi".to_string(), v4(192, 168, 0, 7)),
            ("Local Area Connection* 10".to_string(), v4(192, 168, 137, 1)),
        ];
        assert_eq!(rank_addresses(&interfaces)[0], Ipv4Addr::new(192, 168, 0, 7));
        assert!(rank_addresses(&[("lo".to_string(), v4(127, 0, 0, 1))]).is_empty());
    }
}
