import Foundation
import Numerics
import Testing
@testable import Agent

/// Not a test: prints the learners' throughput when DMA_AGENT_BENCH is set
/// (`DMA_AGENT_BENCH=1 swift test --filter agentBenchmark`).
@Test(.enabled(if: ProcessInfo.processInfo.environment["DMA_AGENT_BENCH"] != nil))
func agentBenchmark() {
    NumericsRuntime.setThreads(1)
    print("BENCH sgemm peak (512³, 1 thread): \(AgentBenchmark.sgemmPeak()) GFLOP/s")
    print("BENCH \(AgentBenchmark.domainSetCQL())")
    print("BENCH \(AgentBenchmark.plainMLPCQL())")
}
