extension EnvironmentConfig {
    /// Where an environment's file lives when a command is not given one: `envs/<environment>.json`,
    /// relative to the working directory (the repository root), for the name a log or model records.
    public static func defaultPath(for environment: String) -> String { "envs/\(environment).json" }
}
