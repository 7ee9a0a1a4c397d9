//! Base58btc (the Bitcoin alphabet) decoding of a 64-byte value: an Ed25519 signature in a
//! `proofValue`.
//!
//! `bs58` decodes a character at a time into bytes (a multiply-add over every byte written so
//! far per character: about 88 × 64 steps for a signature). This reads five characters at a
//! time (58^5 < 2^32) into 32-bit limbs, 18 × 16 steps, and answers exactly what
//! `bs58::decode(s).onto(&mut [0; 64])` followed by a check that 64 bytes were written answers
//! (the tests compare the two on random and edge-case inputs).

/// The Bitcoin alphabet's digit values, `0xFF` for a byte outside it.
// A constant block can only index; the indices are in range (a byte, the alphabet's length),
// and an out-of-range one would fail the build, not a verification.
#[allow(clippy::indexing_slicing)]
const DIGITS: [u8; 256] = {
    let alphabet = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut table = [0xFF; 256];
    let mut i = 0;
    while i < alphabet.len() {
        table[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// 58^5, the most digits folded into one step.
const CHUNK: u64 = 58 * 58 * 58 * 58 * 58;

/// The 64 bytes `s` encodes, if it encodes exactly 64 (leading `1`s are leading zero bytes, as
/// in every base58btc decoder); `None` for a character outside the alphabet or another length.
pub(crate) fn decode_64(s: &str) -> Option<[u8; 64]> {
    let s = s.as_bytes();
    let zeros = s.iter().take_while(|&&c| c == b'1').count();
    // The value, little-endian 32-bit limbs; it only grows, so overflowing 512 bits at any
    // point means more than 64 bytes.
    let mut limbs = [0u32; 16];
    let (mut chunk, mut scale) = (0u64, 1u64);
    for &c in s {
        let d = *DIGITS.get(usize::from(c))?;
        if d == 0xFF {
            return None;
        }
        chunk = chunk * 58 + u64::from(d);
        scale *= 58;
        if scale == CHUNK {
            mul_add(&mut limbs, scale, chunk)?;
            (chunk, scale) = (0, 1);
        }
    }
    if scale > 1 {
        mul_add(&mut limbs, scale, chunk)?;
    }
    let mut out = [0u8; 64];
    for (bytes, limb) in out.chunks_exact_mut(4).rev().zip(limbs) {
        bytes.copy_from_slice(&limb.to_be_bytes());
    }
    // A decoder writes the value's significant bytes and one zero byte per leading `1`.
    let significant = 64 - out.iter().take_while(|&&b| b == 0).count();
    (zeros + significant == 64).then_some(out)
}

/// `limbs = limbs * scale + add`; `None` when the result needs more than 512 bits.
fn mul_add(limbs: &mut [u32; 16], scale: u64, add: u64) -> Option<()> {
    let mut carry = add;
    for limb in limbs.iter_mut() {
        // < 2^32 * 58^5 + 2^32: fits.
        let t = u64::from(*limb) * scale + carry;
        *limb = t as u32;
        carry = t >> 32;
    }
    (carry == 0).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the `bs58` crate decodes, as `decode_proof_value` used it.
    fn reference(s: &str) -> Option<[u8; 64]> {
        let mut buf = [0u8; 64];
        match bs58::decode(s).onto(&mut buf[..]) {
            Ok(64) => Some(buf),
            _ => None,
        }
    }

    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            // xorshift64*
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    #[test]
    fn decodes_as_bs58_does() {
        let alphabet = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut accepted = 0;
        let mut check = |s: &str| {
            assert_eq!(decode_64(s), reference(s), "{s:?}");
            accepted += usize::from(reference(s).is_some());
        };
        // Encodings of 64-byte values, with 0 to 64 leading zero bytes and high first bytes.
        for lead in 0..=64 {
            for _ in 0..40 {
                let mut bytes = [0u8; 64];
                for b in bytes.iter_mut().skip(lead) {
                    *b = rng.next() as u8;
                }
                if lead < 64 && rng.below(4) == 0 {
                    bytes[lead] = 0xFF;
                }
                let s = bs58::encode(bytes).into_string();
                check(&s);
                // One character more or less, changed, or a leading `1` more or less.
                check(&format!("1{s}"));
                check(s.get(1..).unwrap_or_default());
                check(&format!("{s}{}", alphabet[rng.below(58)] as char));
                check(s.get(..s.len().saturating_sub(1)).unwrap_or_default());
                let mut changed = s.clone().into_bytes();
                if !changed.is_empty() {
                    let i = rng.below(changed.len());
                    changed[i] = alphabet[rng.below(58)];
                }
                check(std::str::from_utf8(&changed).unwrap());
            }
        }
        // Random strings around the length of a signature, over the alphabet, with bytes
        // outside it.
        for _ in 0..20_000 {
            let len = 80 + rng.below(12);
            let s: String = (0..len)
                .map(|_| match rng.below(200) {
                    0 => '0',
                    1 => 'l',
                    2 => 'é',
                    _ => alphabet[rng.below(58)] as char,
                })
                .collect();
            check(&s);
        }
        // The largest and smallest 64-byte values, overflow just past them, empty and `1`s.
        check(&bs58::encode([0xFF; 64]).into_string());
        check(&format!("{}1", bs58::encode([0xFF; 64]).into_string()));
        check(&"1".repeat(64));
        check(&"1".repeat(63));
        check(&"1".repeat(65));
        check(&format!("{}2", "1".repeat(63)));
        check(&"z".repeat(88));
        check(&"z".repeat(87));
        check("");
        assert!(accepted > 2_000, "{accepted}");
    }
}
