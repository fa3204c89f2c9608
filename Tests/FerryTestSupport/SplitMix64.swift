/// A small deterministic random generator (SplitMix64) for the property tests of every test target, so
/// a failure reproduces from its seed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }
    public init(seed: UInt64) { state = seed }
    public init(_ seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (modulo: slightly biased, which property tests do not mind).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    public mutating func int(_ n: Int) -> Int { below(n) }
    public mutating func next(_ bound: Int) -> Int { below(bound) }
    public mutating func nextRaw() -> UInt64 { next() }
    public mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
    /// True `percent` times in 100.
    public mutating func chance(_ percent: UInt64) -> Bool { next() % 100 < percent }
}
