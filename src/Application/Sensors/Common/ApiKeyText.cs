using System.Security.Cryptography;
using System.Text;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.Common;

/// <summary>
/// An API key's text, <c>tp_&lt;prefix&gt;_&lt;secret&gt;</c>: the prefix (12 base32 characters) finds the stored key, the
/// secret (32 random bytes, base64url) proves it. Only SHA-256 of the secret is stored: a 256-bit random secret cannot
/// be guessed from its hash, so the slow, salted hashing passwords need buys nothing here.
/// </summary>
public static class ApiKeyText
{
    public const string Scheme = "tp_";
    public const int SecretBytes = 32;

    /// <summary>The base32 alphabet (lower case) the prefix is drawn from.</summary>
    public const string PrefixAlphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>Characters of a base64url secret of <see cref="SecretBytes"/> bytes, without padding.</summary>
    public const int SecretLength = (SecretBytes * 4 + 2) / 3;

    public static string Format(string prefix, string secret) => $"{Scheme}{prefix}_{secret}";

    /// <summary>Splits a presented key; false when it does not have the key's shape.</summary>
    public static bool TryParse(string? key, out string prefix, out string secret)
    {
        prefix = secret = string.Empty;
        var text = key?.Trim();
        if (text is null
            || text.Length != Scheme.Length + ApiKey.PrefixLength + 1 + SecretLength
            || !text.StartsWith(Scheme, StringComparison.Ordinal)
            || text[Scheme.Length + ApiKey.PrefixLength] != '_')
        {
            return false;
        }

        var prefixPart = text.Substring(Scheme.Length, ApiKey.PrefixLength);
        var secretPart = text[(Scheme.Length + ApiKey.PrefixLength + 1)..];
        if (!prefixPart.All(c => PrefixAlphabet.Contains(c, StringComparison.Ordinal)) || !secretPart.All(IsBase64Url))
        {
            return false;
        }

        (prefix, secret) = (prefixPart, secretPart);
        return true;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="storedHash"/>, in time independent of where they differ.</summary>
    public static bool Matches(string secret, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(secret), storedHash);

    private static bool IsBase64Url(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}

/// <summary>A new key's random parts; the secret leaves the server once, in the creation answer.</summary>
public sealed record NewApiKey(string Prefix, string Secret);

/// <summary>Makes keys from a cryptographic random source (Infrastructure), so tests can control them.</summary>
public interface IApiKeyGenerator
{
    NewApiKey Generate();
}
