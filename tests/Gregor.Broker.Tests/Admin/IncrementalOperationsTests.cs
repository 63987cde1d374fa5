using Gregor.Broker.Admin;
using Gregor.Broker.Config;

namespace Gregor.Broker.Tests.Admin;

/// <summary>IncrementalAlterConfigs operations applied to a resource's current values.</summary>
public sealed class IncrementalOperationsTests
{
    private static IReadOnlyDictionary<string, string> Apply(IReadOnlyDictionary<string, string> current, params (string, AlterConfigOp, string?)[] ops) =>
        ConfigAdmin.ApplyIncremental(current, ops,
            name => name == "cleanup.policy" ? true : name == "no.such" ? null : false,
            name => name == "cleanup.policy" ? "delete" : null);

    [Fact]
    public void Set_and_delete_change_single_keys()
    {
        var result = Apply(new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" }, ("a", AlterConfigOp.Set, "9"), ("b", AlterConfigOp.Delete, null), ("c", AlterConfigOp.Delete, null));
        Assert.Equal(new Dictionary<string, string> { ["a"] = "9" }, result);
    }

    [Fact]
    public void Append_starts_from_the_effective_value_and_skips_items_present()
    {
        Assert.Equal("delete,compact", Apply(new Dictionary<string, string>(), ("cleanup.policy", AlterConfigOp.Append, "compact,delete"))["cleanup.policy"]);
    }

    [Fact]
    public void Subtract_removes_every_occurrence()
    {
        var current = new Dictionary<string, string> { ["cleanup.policy"] = "compact,delete" };
        Assert.Equal("compact", Apply(current, ("cleanup.policy", AlterConfigOp.Subtract, "delete"))["cleanup.policy"]);
    }

    [Fact]
    public void Append_to_a_key_that_is_not_a_list_is_refused()
    {
        var e = Assert.Throws<ConfigException>(() => Apply(new Dictionary<string, string>(), ("retention.ms", AlterConfigOp.Append, "1")));
        Assert.Equal("Can't APPEND to key retention.ms because its type is not LIST.", e.Message);
        Assert.Throws<ConfigException>(() => Apply(new Dictionary<string, string>(), ("no.such", AlterConfigOp.Subtract, "1")));
    }
}
