import Dispatch
import FerryCore
import Foundation

/// Validates many files on all cores, each with the validator of its format.
public struct Validator: Sendable {
    public let registry: FormatRegistry

    /// The formats that can validate, sniffed before the others.
    let validators: FormatRegistry

    public init(registry: FormatRegistry) {
        self.registry = registry
        self.validators = FormatRegistry(registry.formats.filter { $0 is any Validating })
    }

    /// Results in the order of `paths`. A file whose format has no validator gets an error diagnostic.
    public func validate(_ paths: [String], declared: String?) throws -> [FileValidation] {
        let declaredFormat: (any Format)?
        if let declared {
            guard let format = registry.format(named: declared) else {
                throw FerryError.usage("format.unknown", "unknown format '\(declared)'")
            }
            declaredFormat = format
        } else {
            declaredFormat = nil
        }
        let slots = ResultSlots(count: paths.count)
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            slots.set(index, validateOne(paths[index], declared: declaredFormat))
        }
        return slots.values
    }

    func validateOne(_ path: String, declared: (any Format)?) -> FileValidation {
        let started = DispatchTime.now()
        let log = DiagnosticLog()
        var items = 0
        var formatName: String?
        do {
            let source = try FileSource(path: path)
            let prefix = try source.read(upTo: 64 * 1024)
            // Validating formats bid first (cheap, and what `validate` is after); the whole registry
            // only when none claims the file, to name what it is.
            let format = declared ?? validators.sniff(prefix: prefix, name: path)?.format
                ?? registry.sniff(prefix: prefix, name: path)?.format
            formatName = format?.name
            if let validating = format as? any Validating {
                items = try validating.validate(PrefixedSource(prefix: prefix, rest: source, prefixIsStart: true), log: log)
            } else if let format {
                log.emit(.error("validate.unsupported", "ferry cannot validate \(format.name) files yet", file: path))
            } else {
                log.emit(.error("validate.unknown-format", "cannot tell the format of this file", file: path))
            }
        } catch let error as FerryError {
            log.emit(error.diagnostic.located(in: path))
        } catch {
            log.emit(.error("io.read", "\(error)", file: path))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        return FileValidation(path: path, format: formatName, items: items,
                              diagnostics: log.diagnostics.map { $0.located(in: path) }, seconds: seconds)
    }
}

/// Fixed slots filled from concurrent work.
final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [FileValidation?]

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ value: FileValidation) {
        lock.lock(); storage[index] = value; lock.unlock()
    }

    var values: [FileValidation] {
        lock.lock(); defer { lock.unlock() }
        return storage.map { $0! }
    }
}
