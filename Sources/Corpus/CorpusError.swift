import Base
import Foundation

/// Everything that can be wrong with corpus inputs: recipes, built data, domain names, mixtures.
public enum CorpusError: DataError, Equatable {
    case missingPackage(package: String, path: String)
    case unreadable(path: String, reason: String)
    case malformed(path: String, reason: String)
    case emptyDomain(domain: String, detail: String)
    case unknownDomain(name: String, context: String, known: [String])
    case duplicateDomain(name: String, context: String)
    case invalidMixture(reason: String)
    case notBuilt(directory: String)

    public var description: String {
        switch self {
        case let .missingPackage(package, path):
            return "required Debian package '\(package)' is not installed (\(path) not found); run scripts/setup.sh or `apt-get install \(package)`"
        case let .unreadable(path, reason):
            return "\(path): cannot read: \(reason)"
        case let .malformed(path, reason):
            return "\(path): \(reason)"
        case let .emptyDomain(domain, detail):
            return "domain '\(domain)' is empty: \(detail)"
        case let .unknownDomain(name, context, known):
            let hint = known.count <= 40 ? " (known: \(known.joined(separator: ", ")))" : ""
            return "\(context): unknown domain '\(name)'\(hint)"
        case let .duplicateDomain(name, context):
            return "\(context): domain '\(name)' is listed twice"
        case let .invalidMixture(reason):
            return "invalid mixture: \(reason)"
        case let .notBuilt(directory):
            return "corpus not built in \(directory): run `dma data build` first"
        }
    }

    /// Corpus inputs and built data are data; a missing Debian package is the machine's setup, and an
    /// invalid mixture usually comes from an option or a policy.
    public var isDataError: Bool {
        switch self {
        case .missingPackage, .invalidMixture: return false
        case .unreadable, .malformed, .emptyDomain, .unknownDomain, .duplicateDomain, .notBuilt: return true
        }
    }
}
