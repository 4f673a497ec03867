namespace Portolan.Dns.Wire;

/// <summary>The record sections of a message, in wire order.</summary>
internal enum DnsSection
{
    Answer,
    Authority,
    Additional,
}
