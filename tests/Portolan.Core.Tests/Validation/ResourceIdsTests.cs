using Portolan.Core.Ids;

namespace Portolan.Core.Tests.Validation;

public class ResourceIdsTests
{
    [Fact]
    public void OperationIds_HaveAwsShapeAndSortInCreationOrder()
    {
        var start = new DateTimeOffset(2026, 11, 24, 20, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 200).Select(i => ResourceIds.NewOperationId(start.AddMilliseconds(i * 7))).ToList();

        Assert.All(ids, id => Assert.Matches("^[a-z2-7]{32}-[a-z2-7]{8}$", id));
        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        // The same millisecond still gives distinct ids (the rest is random).
        Assert.Equal(100, Enumerable.Range(0, 100).Select(_ => ResourceIds.NewOperationId(start)).Distinct().Count());
    }
}
