namespace Portolan.Proxy.Http2.Frames;

/// <summary>
/// One side's settings (RFC 9113 §6.5.2), starting from the RFC's initial values (<see cref="Default"/>). "Unlimited"
/// is <see cref="uint.MaxValue"/>.
/// </summary>
internal struct Http2Settings
{
    public const uint DefaultHeaderTableSize = 4096;
    public const uint DefaultInitialWindowSize = 65_535;
    public const uint MaxInitialWindowSize = int.MaxValue;
    public const uint DefaultMaxFrameSize = 16_384;
    public const uint MaxMaxFrameSize = FrameHeader.MaxLength;

    public uint HeaderTableSize;
    public bool EnablePush;
    public uint MaxConcurrentStreams;
    public uint InitialWindowSize;
    public uint MaxFrameSize;
    public uint MaxHeaderListSize;

    public static Http2Settings Default => new()
    {
        HeaderTableSize = DefaultHeaderTableSize,
        EnablePush = true,
        MaxConcurrentStreams = uint.MaxValue,
        InitialWindowSize = DefaultInitialWindowSize,
        MaxFrameSize = DefaultMaxFrameSize,
        MaxHeaderListSize = uint.MaxValue,
    };

    /// <summary>
    /// Takes one received setting, already validated by <see cref="FrameReader.TryGetSettings"/>; unknown identifiers
    /// are ignored. A change of <see cref="InitialWindowSize"/> must also reach every stream's send window
    /// (<see cref="FlowWindow.ApplySettingsDelta"/>): read the old value first.
    /// </summary>
    public void Apply(Setting setting)
    {
        switch (setting.Id)
        {
            case SettingId.HeaderTableSize: HeaderTableSize = setting.Value; break;
            case SettingId.EnablePush: EnablePush = setting.Value == 1; break;
            case SettingId.MaxConcurrentStreams: MaxConcurrentStreams = setting.Value; break;
            case SettingId.InitialWindowSize: InitialWindowSize = setting.Value; break;
            case SettingId.MaxFrameSize: MaxFrameSize = setting.Value; break;
            case SettingId.MaxHeaderListSize: MaxHeaderListSize = setting.Value; break;
        }
    }
}
