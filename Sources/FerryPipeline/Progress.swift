#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A one-line progress bar on stderr — only when stderr is a terminal, at most five redraws a
/// second, erased at the end. Shows bytes (and percent and ETA when the total is known), items and rate.
public final class ProgressBar {
    private let enabled: Bool
    private let total: Int64?
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var drawn = false
    private let label: String

    /// - Parameters:
    ///   - total: total input bytes, when known (regular files).
    ///   - force: draw even when stderr is not a terminal (tests).
    public init(label: String, total: Int64?, force: Bool = false) {
        self.label = label
        self.total = total
        self.enabled = force || isatty(2) == 1
    }

    public func update(bytes: Int64, items: Int) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let elapsed = max(now.timeIntervalSince(started), 0.001)
        let rate = Double(bytes) / elapsed
        var line = "\(label): \(ProgressBar.format(bytes: bytes))"
        if let total, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let width = 20
            let filled = Int(fraction * Double(width))
            line = "\(label) [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
                + "] \(Int(fraction * 100))% \(ProgressBar.format(bytes: bytes))/\(ProgressBar.format(bytes: total))"
            if rate > 0, fraction < 1 {
                let eta = Double(total - bytes) / rate
                line += " ETA \(ProgressBar.format(seconds: eta))"
            }
        }
        line += " · \(items) items · \(ProgressBar.format(bytes: Int64(rate)))/s"
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
    }

    /// Erases the bar.
    public func finish() {
        guard enabled, drawn else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func format(bytes: Int64) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
    }

    static func format(seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s % 3600 / 60, s % 60)
                         : String(format: "%d:%02d", s / 60, s % 60)
    }
}
