use uuid::Uuid;

/// A schedule entry: the notification id as 16 raw bytes followed by its schedule version as
/// 4 big-endian bytes. Raw bytes keep a ZSET entry near 128 bytes of Redis memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Member {
    pub id: Uuid,
    pub version: i32,
}

impl Member {
    pub fn new(id: Uuid, version: i32) -> Member {
        Member { id, version }
    }

    pub fn to_bytes(self) -> [u8; 20] {
        let mut out = [0u8; 20];
        out[..16].copy_from_slice(self.id.as_bytes());
        out[16..].copy_from_slice(&self.version.to_be_bytes());
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Member> {
        if bytes.len() != 20 {
            return None;
        }
        let id = Uuid::from_slice(&bytes[..16]).ok()?;
        let version = i32::from_be_bytes(bytes[16..20].try_into().ok()?);
        Some(Member { id, version })
    }
}

#[cfg(test)]
mod tests {
    use super::Member;

    #[test]
    fn round_trips() {
        let m = Member::new(uuid::Uuid::new_v4(), 7);
        assert_eq!(Member::from_bytes(&m.to_bytes()), Some(m));
        assert_eq!(Member::from_bytes(b"short"), None);
    }
}
