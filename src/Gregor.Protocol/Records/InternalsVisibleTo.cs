using System.Runtime.CompilerServices;

// The record-format tests live with the storage tests, which share these fixtures.
[assembly: InternalsVisibleTo("Gregor.Storage.Tests")]
