using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Infrastructure.Identity;

/// <summary>
/// ASP.NET Core Identity's PasswordHasher: PBKDF2-HMAC-SHA512, 128-bit salt, format v3 (which records the iteration
/// count, so a hash made with fewer iterations than <see cref="AuthOptions.PasswordIterations"/> verifies as
/// "rehash needed" and login stores a fresh one).
/// </summary>
internal sealed class IdentityPasswordHasher : IPasswordHasher
{
    private readonly PasswordHasher<User> _hasher;

    // Hashed once with the current parameters, so verifying against it costs what a real verification costs.
    private readonly Lazy<string> _dummyHash;

    public IdentityPasswordHasher(AuthOptions options)
    {
        _hasher = new PasswordHasher<User>(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = options.PasswordIterations,
        }));
        _dummyHash = new Lazy<string>(() => _hasher.HashPassword(null!, "not-a-password-anyone-has"));
    }

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    public PasswordCheck Verify(string hash, string password)
    {
        try
        {
            return _hasher.VerifyHashedPassword(null!, hash, password) switch
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

    public void VerifyDummy(string password) => _hasher.VerifyHashedPassword(null!, _dummyHash.Value, password);
}
