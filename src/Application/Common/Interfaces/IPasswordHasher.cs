namespace ThreatPlatform.Application.Common.Interfaces;

public enum PasswordCheck
{
    Failed,
    Success,

    /// <summary>Right password, but hashed with older parameters: store a fresh hash.</summary>
    SuccessRehashNeeded,
}

/// <summary>Salted, slow password hashing (PBKDF2, as ASP.NET Core Identity does it).</summary>
public interface IPasswordHasher
{
    string Hash(string password);

    PasswordCheck Verify(string hash, string password);

    /// <summary>Spends the time of one verification, so an unknown username answers as slowly as a wrong password.</summary>
    void VerifyDummy(string password);
}
