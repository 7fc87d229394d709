import ArgumentParser
import Foundation
import Numerics
import Transformer

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure sgemm peak and the transformer's training and evaluation throughput.",
        discussion: """
        With N threads, the sgemm peak uses N OpenBLAS threads; training and evaluation split each batch \
        across N data-parallel workers with single-threaded OpenBLAS (what `pretrain --threads` and \
        `cpt --threads` do). Achieved GFLOP/s counts 6·params + 12·layers·T·d_model FLOPs per trained token and \
        2·params + 4·layers·T·d_model per evaluated token; each figure is also given as a fraction of \
        the sgemm peak measured in the same run with the same thread count.
        """
    )

    @Option(help: "Seconds per throughput measurement.") var seconds = 3.0
    @Option(help: "Size n of the n×n×n sgemm used for the peak.") var sgemmSize = 2048
    @Option(help: "Thread counts to measure, comma-separated.") var threads = "1,2"
    @Option(help: "Batch size for the proxy preset.") var proxyBatch = 32
    @Option(help: "Batch size for the target preset.") var targetBatch = 16
    @Option(help: "Batch size for evaluation (forward-only) measurements; evaluation scores in batches this size.") var evalBatch = 8
    @Option(help: "Write the figures as JSON to this file.") var json: String?

    struct Row: Codable {
        var preset: String
        var threads: Int
        var config: ModelConfig
        var parameters: Int
        var batch: Int
        var evalBatch: Int
        var trainTokensPerSecond: Double
        var trainGFLOPs: Double
        var trainFractionOfPeak: Double
        var evalTokensPerSecond: Double
        var evalGFLOPs: Double
        var evalFractionOfPeak: Double
        var evalOverTrain: Double
    }

    struct Report: Codable {
        var sgemmSize: Int
        /// GFLOP/s of the n×n×n sgemm by thread count.
        var sgemmPeakGFLOPs: [String: Double]
        var rows: [Row]
        var flopsFormula: String
        var blasConfig: String
    }

    func run() throws {
        NumericsRuntime.installErrorHandling()
        let counts: [Int] = try commaSeparated(threads, option: "--threads")
        guard counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--threads must list positive integers, e.g. 1,2") }
        var peaks: [String: Double] = [:]
        var rows: [Row] = []
        let presets: [(ModelConfig, Int)] = [(.proxy, proxyBatch), (.target, targetBatch)]
        let bar = ProgressLine("bench", total: counts.count * (1 + 2 * presets.count), unit: "measurement")
        var done = 0
        for t in counts {
            NumericsRuntime.setThreads(t)
            let peak = Throughput.sgemmGFLOPs(n: sgemmSize)
            peaks["\(t)"] = peak
            done += 1
            bar.update(done, detail: "sgemm \(t) thread(s): \(fmt(peak, 1)) GFLOP/s")
            NumericsRuntime.setThreads(1)
            for (config, batch) in presets {
                let train = try Throughput.trainingTokensPerSecond(config, batch: batch, seconds: seconds, workers: t)
                done += 1
                bar.update(done, detail: "\(config.name) train")
                let eval = try Throughput.evaluationTokensPerSecond(config, batch: evalBatch, seconds: seconds, workers: t)
                done += 1
                bar.update(done, detail: "\(config.name) eval")
                let tg = train * Throughput.trainingFLOPsPerToken(config, T: config.context) / 1e9
                let eg = eval * Throughput.evaluationFLOPsPerToken(config, T: config.context) / 1e9
                rows.append(Row(preset: config.name, threads: t, config: config, parameters: config.parameterCount, batch: batch, evalBatch: evalBatch,
                                trainTokensPerSecond: train, trainGFLOPs: tg, trainFractionOfPeak: tg / peak,
                                evalTokensPerSecond: eval, evalGFLOPs: eg, evalFractionOfPeak: eg / peak, evalOverTrain: eval / train))
            }
        }
        var table = Table(["preset", "threads", "params", "batch×T", "sgemm GF/s", "train tok/s", "train GF/s", "% peak", "eval tok/s", "eval GF/s", "% peak", "eval/train"])
        for r in rows {
            table.add([r.preset, "\(r.threads)", "\(r.parameters)", "\(r.batch)×\(r.config.context)", fmt(peaks["\(r.threads)"]!, 1),
                       fmt(r.trainTokensPerSecond, 0), fmt(r.trainGFLOPs, 1), fmt(100 * r.trainFractionOfPeak, 1),
                       fmt(r.evalTokensPerSecond, 0), fmt(r.evalGFLOPs, 1), fmt(100 * r.evalFractionOfPeak, 1), fmt(r.evalOverTrain, 2)])
        }
        print(table.render())
        if let json {
            let report = Report(sgemmSize: sgemmSize, sgemmPeakGFLOPs: peaks, rows: rows,
                                flopsFormula: "train: 6*params + 12*layers*T*d_model per token; eval: 2*params + 4*layers*T*d_model per token",
                                blasConfig: NumericsRuntime.blasConfig)
            try writeJSON(report, to: json)
            print("wrote \(json)")
        }
    }
}
