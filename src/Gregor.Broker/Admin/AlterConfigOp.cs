namespace Gregor.Broker.Admin;

/// <summary>Kafka's <c>AlterConfigOp.OpType</c> ids (IncrementalAlterConfigs).</summary>
public enum AlterConfigOp : sbyte
{
    Set = 0,
    Delete = 1,
    Append = 2,
    Subtract = 3,
}
