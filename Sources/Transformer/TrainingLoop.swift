import Foundation

/// The pre-training loop shared by `dma pretrain` and tests: LR schedule, optimizer steps, periodic
/// validation, periodic resumable snapshots.
public struct TrainingLoop {
    /// One progress report.
    public struct Progress: Sendable {
        public var step: Int
        public var totalSteps: Int
        public var loss: Float
        public var lr: Double
        /// Validation loss, when this step ran validation.
        public var validationLoss: Float?
        public var tokens: Int
    }

    public var schedule: LRSchedule
    public var validateEvery: Int
    public var snapshotEvery: Int

    public init(schedule: LRSchedule, validateEvery: Int = 500, snapshotEvery: Int = 500) {
        self.schedule = schedule
        self.validateEvery = validateEvery
        self.snapshotEvery = snapshotEvery
    }

    /// Trains from `trainer.step` up to `schedule.totalSteps`. `batch(step)` must be a pure function of
    /// the step (seeded per step), so a run resumed from a snapshot sees exactly the data it would have.
    /// Returns the last validation loss.
    @discardableResult
    public func run(trainer: Trainer, batch: (Int) throws -> TokenBatch, validate: () -> Float,
                    snapshot: (Int) throws -> Void = { _ in }, progress: (Progress) -> Void = { _ in }) throws -> Float {
        var lastValidation: Float?
        var tokens = 0
        while trainer.step < schedule.totalSteps {
            let step = trainer.step
            let b = try batch(step)
            let lr = schedule.lr(at: step)
            let loss = try trainer.step(b, lr: Float(lr))
            tokens += b.batchSize * b.positions
            let done = trainer.step
            var val: Float?
            if done % validateEvery == 0 || done == schedule.totalSteps {
                lastValidation = validate()
                val = lastValidation
            }
            if done % snapshotEvery == 0 && done < schedule.totalSteps { try snapshot(done) }
            progress(Progress(step: done, totalSteps: schedule.totalSteps, loss: loss, lr: lr, validationLoss: val, tokens: tokens))
        }
        // A resumed run that was already complete validates once here.
        return lastValidation ?? validate()
    }
}
