/// Every named random stream of dma in one registry, so no two uses of one seed share a stream by
/// accident. A stream derives an independent generator from a seed (`RandomSource(seed:stream:)`);
/// the values are frozen: changing one changes every result drawn from it (bundled data included).
///
/// Streams numbered by an index (a CPT round, a pre-training step, a bootstrap member) take
/// `offset(_:)`; index-only streams (round r → r + 1) stay at the call site with their comment.
public enum RandomStream: UInt64, CaseIterable, Sendable {
    /// GPT-2 initialisation of a new model.
    case modelInitialisation = 0x6770_74
    /// Cloze items of the evaluation suite.
    case clozeItems = 101
    /// Definition → term items.
    case definitionItems = 202
    /// Next-line items on held-out code.
    case nextLineItems = 303
    /// Document sampling of corpus domain k (offset k).
    case corpusDomain = 1_000
    /// Row order of a regressor's cross-validation folds.
    case regressorFolds = 0xCE47
    /// Trajectory order of the surrogate's folds.
    case surrogateFolds = 0xF01D
    /// Bootstrap sample of ensemble member m (offset m).
    case bootstrapMember = 0xB007
    /// Start states drawn by the simulator's `reset(seed:)`.
    case simulatorReset = 0x5EED
    /// Members and noise after `reset(from:seed:)`.
    case simulatorResetFromStates = 0x5EEE
    /// Members and noise after `reset(continuing:seed:)`.
    case simulatorResetMidEpisode = 0x5EEF
    /// Training subsets of the learning curve of size n (offset n).
    case learningCurve = 0x1C00
    /// A Dirichlet-walk schedule.
    case dirichletWalk = 0xD1
    /// The collection's schedule sampler.
    case scheduleFamilies = 0x5C4E
    /// Logged start states of the agent's model rollouts.
    case modelRolloutStarts = 0x0A11
    /// Initial weights of an agent network (policy or critic k: offset k).
    case agentInitialisation = 0xA6E0
    /// Minibatch rows drawn by the agent's offline learners (BC, CQL, FQE).
    case agentBatches = 0xA6E1
    /// Action noise of the agent's learners (policy samples, Dirichlet actions of CQL).
    case agentActionNoise = 0xA6E2
    /// Action noise of the training policy's model rollouts.
    case agentRolloutNoise = 0xA6E3
    /// Permutations of the source domains' score weights in the agent's relabelled data copies.
    case agentScoreRelabelling = 0xA6E4
    /// Candidate mixtures of a baseline's simplex search (RegMix, surrogate search).
    case baselineSearch = 0xBA5E
    /// Start states of the surrogate search's rollouts.
    case baselineSearchStarts = 0xBA5F
    /// Arm draws of the EXP3 bandit baseline.
    case banditArms = 0xBA60
    /// Logged trajectories drawn as the analysis's typical states (probes and distilled rules).
    case analysisStateSample = 0xA7A1

    /// The stream of index `k` within this family.
    public func offset(_ k: Int) -> UInt64 { rawValue &+ UInt64(k) }
}

extension RandomSource {
    /// A generator on a named stream of `seed`.
    public convenience init(seed: UInt64, stream: RandomStream) {
        self.init(seed: seed, stream: stream.rawValue)
    }
}
