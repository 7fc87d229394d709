import ArgumentParser
import Corpus
import Foundation
import Numerics

struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Build the corpora from installed Debian packages and show their domains.",
        subcommands: [DataBuildCommand.self, DataStatsCommand.self]
    )
}

struct DataBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "build", abstract: "Build every domain (source, math, code) from a recipe.")

    @Option(help: "Corpus recipe (JSON).") var recipe = "datasets/recipes/corpus.json"
    @Option(help: "Output directory (replaced atomically).") var out = CorpusStore.defaultDirectory
    @Flag(help: "Rebuild even if the output was built from the same recipe.") var force = false

    func run() throws {
        let recipe = try CorpusRecipe.load(from: self.recipe)
        // The recipe was just read successfully, so the file is there.
        let recipeHash = StableHash.hex(of: FileManager.default.contents(atPath: self.recipe) ?? Data())
        if !force, let existing = try? CorpusStore(directory: out), existing.manifest.recipeHash == recipeHash {
            print("corpus in \(out) is up to date (recipe \(recipeHash)); use --force to rebuild")
            return
        }
        let start = Date()
        let stages = 4
        var stage = 0
        let bar = ProgressLine("data build", total: stages, unit: "stage")
        let manifest = try CorpusBuilder(recipe: recipe, recipeHash: recipeHash, outputDirectory: out) { message in
            bar.update(stage, detail: message)
            stage += 1
        }.build()
        bar.update(stages, detail: "done")
        print(DataStatsCommand.table(manifest).render())
        print("built \(manifest.domains.count) domains in \(fmt(Date().timeIntervalSince(start), 1)) s -> \(out) (fingerprint \(manifest.fingerprint))")
    }
}

struct DataStatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stats", abstract: "Print the built domains: field, bytes, documents, split sizes.")

    @Option(help: "Built corpus directory.") var data = CorpusStore.defaultDirectory
    @Option(help: "Also write the table as JSON to this file ('-' for stdout).") var json: String?

    func run() throws {
        let store = try CorpusStore(directory: data)
        if let json {
            try writeJSON(store.manifest, to: json)
            if json == "-" { return }
        }
        print(Self.table(store.manifest).render())
        let spaces = store.manifest.spaces.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.count))" }.joined(separator: ", ")
        print("spaces: \(spaces); groups: " + store.manifest.groups.sorted { $0.key < $1.key }.map { "\($0.key) (\($0.value.count))" }.joined(separator: ", "))
    }

    static func table(_ m: CorpusManifest) -> Table {
        var t = Table(["domain", "field", "KB", "docs", "train KB", "valid KB", "test KB", "test docs"])
        for d in m.domains {
            t.add([d.name.rawValue, d.field.rawValue, kb(d.totalBytes), "\(d.splits.values.reduce(0) { $0 + $1.documents })",
                   kb(d.split(.train).bytes), kb(d.split(.valid).bytes), kb(d.split(.test).bytes), "\(d.split(.test).documents)"])
        }
        return t
    }
}
