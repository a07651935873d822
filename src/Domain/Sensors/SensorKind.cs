namespace ThreatPlatform.Domain.Sensors;

/// <summary>What kind of machine reports events: a firewall, an IDS, an EDR agent, an AI detection model, or another.</summary>
public enum SensorKind : short
{
    Firewall = 1,
    Ids = 2,
    Edr = 3,
    AiModel = 4,
    Other = 5,
}
