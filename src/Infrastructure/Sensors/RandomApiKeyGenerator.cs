using System.Buffers.Text;
using System.Security.Cryptography;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Infrastructure.Sensors;

/// <summary>Prefix and secret from the operating system's cryptographic random source.</summary>
internal sealed class RandomApiKeyGenerator : IApiKeyGenerator
{
    public NewApiKey Generate() => new(
        RandomNumberGenerator.GetString(ApiKeyText.PrefixAlphabet, ApiKey.PrefixLength),
        Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(ApiKeyText.SecretBytes)));
}
