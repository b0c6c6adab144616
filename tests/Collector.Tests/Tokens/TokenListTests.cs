using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Tokens;
using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Tokens;

/// <summary>The token list as <c>certs token</c> writes it, in a real CA folder.</summary>
public sealed class TokenListTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory folder = new();
    private readonly string dir;

    public TokenListTests()
    {
        dir = folder.Folder("tls");
        ClusterCertificates.Init(dir, [], TimeSpan.FromDays(30), Now);
    }

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Issue_KeepsOnlyTheHashOfTheTokenItPrints()
    {
        var (token, issued) = TokenList.Issue(dir, "alice", "reader", TimeSpan.FromDays(90), Now);

        var text = File.ReadAllText(TokenList.PathIn(dir));
        Assert.Matches("^dnt_[0-9a-f]{8}_[0-9a-f]{64}$", token);
        Assert.DoesNotContain(token[(4 + 8 + 1)..], text, StringComparison.Ordinal);
        Assert.Equal(AccessToken.Hash(token), Assert.Single(TokenList.Read(TokenList.PathIn(dir))).Hash);
        Assert.Equal((issued.Id, "alice", "reader", Now.AddDays(90)), (AccessToken.IdOf(token, AccessToken.Bearer), issued.Name, issued.Role, issued.ExpiresAt));
        Assert.True(AccessToken.Matches(token, issued.Hash));
        Assert.False(AccessToken.Matches(token[..^1] + (token[^1] == '0' ? '1' : '0'), issued.Hash));
    }

    [Theory]
    [InlineData("alice", "agent", "90d", "a token can never have the role 'agent'")]
    [InlineData("alice", "collector", "90d", "'collector' is not a role a token can have: use reader")]
    [InlineData("alice bob", "reader", "90d", "'alice bob' is not a usable name")]
    [InlineData("alice", "reader", "4000d", "a token lives between a second and 1095 days")]
    public void Issue_WhatATokenCannotBe_IsRefusedWithASentenceAndWritesNothing(string name, string role, string ttl, string expected)
    {
        Assert.True(Protos.Formats.DurationText.TryParse(ttl, out var lifetime));

        var error = Assert.ThrowsAny<ArgumentException>(() => TokenList.Issue(dir, name, role, lifetime, Now));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(TokenList.PathIn(dir)));
    }

    [Fact]
    public void Issue_WithoutACaInTheFolder_IsRefusedNamingCertsInit()
    {
        var error = Assert.Throws<InvalidOperationException>(() => TokenList.Issue(folder.Folder("typo"), "alice", "reader", TimeSpan.FromDays(1), Now));

        Assert.Contains("certs init", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Revoke_ByNameOrId_MarksOnlyThoseTokens()
    {
        var (_, first) = TokenList.Issue(dir, "alice", "reader", TimeSpan.FromDays(90), Now);
        var (_, second) = TokenList.Issue(dir, "alice", "reader", TimeSpan.FromDays(90), Now);
        var (_, script) = TokenList.Issue(dir, "provisioning", "reader", TimeSpan.FromDays(90), Now);

        var byId = TokenList.Revoke(dir, script.Id, Now.AddHours(1));
        var byName = TokenList.Revoke(dir, "alice", Now.AddHours(2));
        var again = Assert.Throws<InvalidOperationException>(() => TokenList.Revoke(dir, "alice", Now.AddHours(3)));

        Assert.Equal([script.Id], byId.Select(t => t.Id), StringComparer.Ordinal);
        Assert.Equal([first.Id, second.Id], byName.Select(t => t.Id), StringComparer.Ordinal);
        Assert.Contains("no token of 'alice' to revoke", again.Message, StringComparison.Ordinal);
        Assert.All(TokenList.Read(TokenList.PathIn(dir)), t => Assert.False(t.IsValidAt(Now.AddHours(3))));
    }

    [Fact]
    public void Read_AMalformedLine_NamesTheFileAndLine()
    {
        TokenList.Issue(dir, "alice", "reader", TimeSpan.FromDays(90), Now);
        File.AppendAllText(TokenList.PathIn(dir), "deadbeef bob reader yesterday\n");

        var error = Assert.Throws<FormatException>(() => TokenList.Read(TokenList.PathIn(dir)));

        Assert.Contains($"{TokenList.PathIn(dir)} line 3:", error.Message, StringComparison.Ordinal);
    }
}
