/// dma's own version, recorded in every trajectory header.
public enum DMAVersion {
    public static let string = "0.1.0"
}
