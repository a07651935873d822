using Microsoft.AspNetCore.Identity;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Identity;

/// <summary>ASP.NET Core Identity's PasswordHasher (PBKDF2-HMAC-SHA512, salted, 100,000 iterations in format v3).</summary>
internal sealed class IdentityPasswordHasher : IPasswordHasher
{
    private static readonly PasswordHasher<User> Hasher = new();

    // Hashed once with the current parameters, so verifying against it costs what a real verification costs.
    private static readonly Lazy<string> DummyHash = new(() => Hasher.HashPassword(null!, "not-a-password-anyone-has"));

    public string Hash(string password) => Hasher.HashPassword(null!, password);

    public PasswordCheck Verify(string hash, string password)
    {
        try
        {
            return Hasher.VerifyHashedPassword(null!, hash, password) switch
            {
                PasswordVerificationResult.Success => PasswordCheck.Success,
                PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.SuccessRehashNeeded,
                _ => PasswordCheck.Failed,
            };
        }
        catch (FormatException)
        {
            // Not a hash this hasher wrote (e.g. an account seeded without a password): nothing can match it.
            return PasswordCheck.Failed;
        }
    }

    public void VerifyDummy(string password) => Hasher.VerifyHashedPassword(null!, DummyHash.Value, password);
}
