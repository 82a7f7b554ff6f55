// Placeholder so the target builds; replaced by the protocol sources.
@_exported import A2ALCore
