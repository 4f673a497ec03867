namespace Portolan.Dns.Zones;

/// <summary>
/// One instance's record in a service's record set, ready to copy: <see cref="Tail"/> is the record after its
/// owner. An SRV candidate also carries its target's A/AAAA tails for the additional section.
/// </summary>
internal readonly record struct Candidate(byte[] Tail, byte[]? GlueA = null, byte[]? GlueAaaa = null);
