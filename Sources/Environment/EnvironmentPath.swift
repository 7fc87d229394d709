import Base
import Foundation

extension EnvironmentConfig {
    /// Where an environment's file sits in a checkout: `envs/<environment>.json`, relative to the
    /// checkout root. ``locate(_:near:workingDirectory:)`` finds it for a command given no `--env`.
    public static func defaultPath(for environment: String) -> String { "envs/\(environment).json" }

    /// The environment file of `environment` for a command given no `--env`: `envs/<environment>.json`
    /// in the nearest folder above `input` (the log or model that names the environment) that has
    /// one, else in the working directory. Looking beside the input first makes a command run
    /// outside the checkout find the checkout the data came from; the working directory comes last
    /// so an unrelated `envs/` there cannot shadow it.
    ///
    /// - Throws: ``EnvironmentLookupError`` listing every path tried.
    public static func locate(_ environment: String, near input: String,
                              workingDirectory: String = FileManager.default.currentDirectoryPath) throws -> String {
        let relative = defaultPath(for: environment)
        var tried: [String] = []
        var folders = URL(fileURLWithPath: input, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true))
            .standardizedFileURL.deletingLastPathComponent().pathComponents
        while !folders.isEmpty {
            let folder = NSString.path(withComponents: folders)
            tried.append(folder == "/" ? "/" + relative : folder + "/" + relative)
            folders.removeLast()
        }
        let cwd = URL(fileURLWithPath: workingDirectory, isDirectory: true).appendingPathComponent(relative).standardizedFileURL.path
        if !tried.contains(cwd) { tried.append(cwd) }
        if let found = tried.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw EnvironmentLookupError(environment: environment, input: input, tried: tried)
    }
}

/// No `envs/<environment>.json` beside an input or in the working directory: the command needs `--env`.
public struct EnvironmentLookupError: Error, Equatable, CustomStringConvertible {
    public var environment: String
    /// The log or model that names the environment.
    public var input: String
    /// Every path looked at, in order.
    public var tried: [String]

    public var description: String {
        "\(input) was made in environment '\(environment)', but no environment file was found for it (tried \(tried.joined(separator: ", "))); pass --env FILE"
    }
}
