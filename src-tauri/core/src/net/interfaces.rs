//! The machine's networks as the presenter chooses among them: each address with its interface's kind, best first.

use std::net::{IpAddr, Ipv4Addr};

use serde::Serialize;

/// What sort of network an interface is, as far as its name, address and (on
/// Linux) the kernel tell. Phones can reach the first three; VPNs and virtual
/// adapters are where wrong QR codes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Wifi,
    Ethernet,
    /// The laptop's own hotspot: right when the phones joined it.
    Hotspot,
    Vpn,
    /// Containers and virtual machines: a bridge only this computer is on.
    Virtual,
}

impl Kind {
    /// Best first; VPNs and virtual adapters share the last place.
    fn rank(self) -> u8 {
        match self {
            Kind::Wifi => 0,
            Kind::Ethernet => 1,
            Kind::Hotspot => 2,
            Kind::Vpn | Kind::Virtual => 3,
        }
    }
}

/// One address phones might use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Candidate {
    /// The interface's own name (`wlp2s0`, `Wi-Fi`, `en0`): what a choice is remembered by.
    pub interface: String,
    pub kind: Kind,
    pub address: Ipv4Addr,
}

/// Every usable IPv4 address of this machine, best first; empty when it has no network.
pub fn list() -> Vec<Candidate> {
    match local_ip_address::list_afinet_netifas() {
        Ok(interfaces) => rank(&interfaces),
        Err(error) => {
            tracing::warn!(%error, "cannot list network interfaces");
            Vec::new()
        }
    }
}

/// The address phones should use: the interface the presenter chose, when it is
/// still up, else the best one.
pub fn choose<'a>(candidates: &'a [Candidate], remembered: Option<&str>) -> Option<&'a Candidate> {
    remembered
        .and_then(|name| candidates.iter().find(|candidate| candidate.interface == name))
        .or_else(|| candidates.first())
}

/// Usable IPv4 addresses, best first: Wi-Fi, then Ethernet and others, then the
/// laptop's hotspot, then virtual adapters (VPNs, containers, virtual machines).
/// Within a rank, private addresses come before public ones.
pub fn rank(interfaces: &[(String, IpAddr)]) -> Vec<Candidate> {
    let mut ranked: Vec<(u8, bool, Candidate)> = interfaces
        .iter()
        .filter_map(|(name, addr)| match addr {
            IpAddr::V4(v4)
                if !v4.is_loopback() && !v4.is_link_local() && !v4.is_unspecified() && !v4.is_multicast() =>
            {
                let kind = kind(name, *v4);
                Some((kind.rank(), !v4.is_private(), Candidate { interface: name.clone(), kind, address: *v4 }))
            }
            _ => None,
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, a.1, &a.2.interface, a.2.address).cmp(&(b.0, b.1, &b.2.interface, b.2.address)));
    ranked.dedup_by(|a, b| a.2 == b.2);
    ranked.into_iter().map(|(_, _, candidate)| candidate).collect()
}

fn kind(name: &str, addr: Ipv4Addr) -> Kind {
    const VPN: &[&str] = &[
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
        "vpn",
        "anyconnect",
        "cisco",
        "fortinet",
        "proton",
        "mullvad",
    ];
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
        "lxc",
        "lxd",
        "podman",
        "cni",
        "flannel",
        "kube",
    ];
    let lower = name.to_ascii_lowercase();
    let octets = addr.octets();
    let has = |markers: &[&str]| markers.iter().any(|marker| lower.starts_with(marker) || lower.contains(marker));
    // 100.64.0.0/10 is carrier-grade NAT space, where Tailscale and similar VPNs live.
    if has(VPN) || (octets[0] == 100 && (64..128).contains(&octets[1])) {
        return Kind::Vpn;
    }
    // 192.168.56.0/24: VirtualBox's host-only network.
    if has(VIRTUAL) || octets[..3] == [192, 168, 56] {
        return Kind::Virtual;
    }
    // The addresses hotspots hand themselves: Windows' mobile hotspot, NetworkManager's
    // shared connection, macOS Internet Sharing (on a `bridge` interface).
    if addr == Ipv4Addr::new(192, 168, 137, 1)
        || addr == Ipv4Addr::new(10, 42, 0, 1)
        || (lower.starts_with("bridge") && octets[..3] == [192, 168, 2])
        || lower.strip_prefix("ap").is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Kind::Hotspot;
    }
    if lower.starts_with("wl")
        || ["wi-fi", "wifi", "wireless", "wlan", "airport"].iter().any(|marker| lower.contains(marker))
        || wireless_by_kernel(name)
    {
        return Kind::Wifi;
    }
    Kind::Ethernet
}

/// Linux says which interfaces are wireless whatever their name.
fn wireless_by_kernel(name: &str) -> bool {
    cfg!(target_os = "linux")
        && !name.contains(['/', '.'])
        && std::path::Path::new("/sys/class/net").join(name).join("wireless").exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(a, b, c, d))
    }

    fn ranked(interfaces: &[(&str, IpAddr)]) -> Vec<(String, Kind, Ipv4Addr)> {
        let owned: Vec<(String, IpAddr)> = interfaces.iter().map(|(name, addr)| (name.to_string(), *addr)).collect();
        rank(&owned).into_iter().map(|c| (c.interface, c.kind, c.address)).collect()
    }

    #[test]
    fn prefers_wifi_over_ethernet_over_virtual() {
        let found = ranked(&[
            ("lo", v4(127, 0, 0, 1)),
            ("docker0", v4(172, 17, 0, 1)),
            ("tun0", v4(10, 8, 0, 2)),
            ("vboxnet0", v4(192, 168, 56, 1)),
            ("enp3s0", v4(192, 168, 1, 30)),
            ("wlp2s0", v4(10, 0, 0, 12)),
            ("eth9", v4(169, 254, 3, 4)),
            ("tailscale0", v4(100, 101, 1, 2)),
        ]);
        assert_eq!(
            found,
            vec![
                ("wlp2s0".into(), Kind::Wifi, Ipv4Addr::new(10, 0, 0, 12)),
                ("enp3s0".into(), Kind::Ethernet, Ipv4Addr::new(192, 168, 1, 30)),
                // Virtual adapters last: private ones by name, then the rest.
                ("docker0".into(), Kind::Virtual, Ipv4Addr::new(172, 17, 0, 1)),
                ("tun0".into(), Kind::Vpn, Ipv4Addr::new(10, 8, 0, 2)),
                ("vboxnet0".into(), Kind::Virtual, Ipv4Addr::new(192, 168, 56, 1)),
                ("tailscale0".into(), Kind::Vpn, Ipv4Addr::new(100, 101, 1, 2)),
            ]
        );
    }

    #[test]
    fn windows_and_mac_names_hotspots_and_offline_machines() {
        let found = ranked(&[
            ("vEthernet (WSL)", v4(172, 20, 16, 1)),
            ("Wi-Fi", v4(192, 168, 0, 7)),
            ("Local Area Connection* 10", v4(192, 168, 137, 1)),
            ("Ethernet 2", v4(10, 1, 1, 5)),
            ("bridge100", v4(192, 168, 2, 1)),
        ]);
        let kinds: Vec<(&str, Kind)> = found.iter().map(|(name, kind, _)| (name.as_str(), *kind)).collect();
        assert_eq!(
            kinds,
            [
                ("Wi-Fi", Kind::Wifi),
                ("Ethernet 2", Kind::Ethernet),
                ("Local Area Connection* 10", Kind::Hotspot),
                ("bridge100", Kind::Hotspot),
                ("vEthernet (WSL)", Kind::Virtual),
            ]
        );
        assert!(ranked(&[("lo", v4(127, 0, 0, 1))]).is_empty());
    }

    #[test]
    fn the_presenters_choice_holds_while_its_interface_is_up() {
        let candidates = rank(&[("wlan0".to_string(), v4(192, 168, 1, 23)), ("eth0".to_string(), v4(10, 0, 0, 4))]);
        assert_eq!(choose(&candidates, None).map(|c| c.interface.as_str()), Some("wlan0"));
        assert_eq!(choose(&candidates, Some("eth0")).map(|c| c.address), Some(Ipv4Addr::new(10, 0, 0, 4)));
        // Gone (the cable pulled): the best one, until it comes back.
        assert_eq!(choose(&candidates, Some("usb0")).map(|c| c.interface.as_str()), Some("wlan0"));
        assert_eq!(choose(&[], Some("eth0")), None);
    }
}
