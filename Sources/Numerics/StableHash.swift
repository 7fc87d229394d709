/// FNV-1a (64-bit): a stable, platform-independent hash for fingerprints and hashed splits.
///
/// Swift's `Hasher` is randomly seeded per process, so it cannot decide splits or fingerprints.
public struct StableHash: Sendable {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    public init(seed: UInt64 = 0) {
        if seed != 0 { combine(seed) }
    }

    public mutating func combine<S: Sequence>(bytes: S) where S.Element == UInt8 {
        for b in bytes {
            value ^= UInt64(b)
            value = value &* 0x100_0000_01b3
        }
    }

    public mutating func combine(_ string: String) { combine(bytes: string.utf8) }

    public mutating func combine(_ x: UInt64) {
        withUnsafeBytes(of: x.littleEndian) { combine(bytes: $0) }
    }

    /// Hash of one string, salted by `seed`.
    public static func of(_ string: String, seed: UInt64 = 0) -> UInt64 {
        var h = StableHash(seed: seed)
        h.combine(string)
        return h.value
    }

    /// A value in [0, 1) derived from the hash (for hashed splits and samples).
    public static func unit(_ string: String, seed: UInt64 = 0) -> Double {
        // Final avalanche so that similar strings spread over [0, 1).
        var z = of(string, seed: seed)
        z = (z ^ (z >> 33)) &* 0xff51_afd7_ed55_8ccd
        z = (z ^ (z >> 33)) &* 0xc4ce_b9fe_1a85_ec53
        z ^= z >> 33
        return Double(z >> 11) / Double(UInt64(1) << 53)
    }

    /// The hash of a byte sequence, as 16 hex digits (fingerprints of files, parameters, configs).
    public static func hex<S: Sequence>(of bytes: S) -> String where S.Element == UInt8 {
        var h = StableHash()
        h.combine(bytes: bytes)
        return h.hex
    }

    /// 16 hex digits.
    public var hex: String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
