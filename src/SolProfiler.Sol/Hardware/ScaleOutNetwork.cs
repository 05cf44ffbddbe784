namespace SolProfiler.Sol.Hardware;

/// <summary>The network a group leaves the scale-up domain over: per GPU, one direction.</summary>
public sealed record ScaleOutNetwork(string Name, SourcedValue BandwidthBytesPerSecondPerDirection, SourcedValue LatencySeconds);
