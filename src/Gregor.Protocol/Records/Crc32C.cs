using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace Gregor.Protocol.Records;

/// <summary>
/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78; initial value and final xor 0xFFFFFFFF),
/// the checksum of record batch v2, computed over the bytes from the attributes field to the end
/// of the batch. Uses the SSE4.2 / ARMv8 CRC instruction when present, a table otherwise.
/// </summary>
/// <remarks>
/// The CRC instruction takes three cycles but can start one per cycle, so one chain of it runs at
/// a third of the speed the unit allows. Long inputs are therefore cut into three adjacent blocks
/// whose CRCs are computed side by side (the first continuing the register, the other two from
/// zero) and then joined: the register of A followed by B equals the register of A carried over
/// |B| zero bytes, xor the register of B from zero (the CRC register is linear over GF(2)).
/// Carrying a register over a fixed number of zero bytes is a linear map on 32 bits, kept as four
/// 256-entry tables, one per register byte.
/// </remarks>
public static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;

    /// <summary>Block sizes of the three-way loops: the long one for the bulk, the short one for the tail.</summary>
    private const int LongBlock = 8192;
    private const int ShortBlock = 256;

    private static readonly uint[] Table = BuildTable();
    private static readonly uint[] LongShift = BuildShiftTable(LongBlock);
    private static readonly uint[] ShortShift = BuildShiftTable(ShortBlock);

    private static bool HasHardware => Sse42.X64.IsSupported || Crc32.Arm64.IsSupported;

    public static uint Compute(ReadOnlySpan<byte> data) => ~Update(0xFFFFFFFFu, data);

    /// <summary>Continues a computation: <paramref name="crc"/> is the raw (not inverted) register.</summary>
    public static uint Update(uint crc, ReadOnlySpan<byte> data)
    {
        if (!HasHardware)
        {
            return UpdateSoftware(crc, data);
        }
        while (data.Length >= 3 * LongBlock)
        {
            crc = ThreeBlocks(crc, data, LongBlock, LongShift);
            data = data[(3 * LongBlock)..];
        }
        while (data.Length >= 3 * ShortBlock)
        {
            crc = ThreeBlocks(crc, data, ShortBlock, ShortShift);
            data = data[(3 * ShortBlock)..];
        }
        ref var start = ref MemoryMarshal.GetReference(data);
        var i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            crc = Step(crc, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref start, i)));
        }
        for (; i < data.Length; i++)
        {
            crc = Step(crc, Unsafe.Add(ref start, i));
        }
        return crc;
    }

    /// <summary>The register after the first 3 × <paramref name="block"/> bytes of <paramref name="data"/>.</summary>
    private static uint ThreeBlocks(uint crc, ReadOnlySpan<byte> data, int block, uint[] shift)
    {
        ref var a = ref MemoryMarshal.GetReference(data);
        ref var b = ref Unsafe.Add(ref a, block);
        ref var c = ref Unsafe.Add(ref a, 2 * block);
        uint crcA = crc, crcB = 0, crcC = 0;
        for (var i = 0; i < block; i += 8)
        {
            crcA = Step(crcA, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref a, i)));
            crcB = Step(crcB, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref b, i)));
            crcC = Step(crcC, Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref c, i)));
        }
        return Shift(shift, Shift(shift, crcA) ^ crcB) ^ crcC;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Step(uint crc, ulong value) => Sse42.X64.IsSupported
        ? (uint)Sse42.X64.Crc32(crc, value)
        : Crc32.Arm64.ComputeCrc32C(crc, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Step(uint crc, byte value) => Sse42.IsSupported
        ? Sse42.Crc32(crc, value)
        : Crc32.ComputeCrc32C(crc, value);

    /// <summary>Carries a register over the block of zero bytes the table was built for.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint[] table, uint crc) =>
        table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];

    /// <summary>Table-driven fallback; also used by tests to check the hardware path.</summary>
    internal static uint UpdateSoftware(uint crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }
        return crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var c = i;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? Polynomial ^ (c >> 1) : c >> 1;
            }
            table[i] = c;
        }
        return table;
    }

    /// <summary>
    /// Four tables of 256 entries: entry [k·256 + n] is the register n·2^(8k) carried over
    /// <paramref name="zeroBytes"/> zero bytes. Built from the images of the 32 single-bit
    /// registers, since the map is linear.
    /// </summary>
    private static uint[] BuildShiftTable(int zeroBytes)
    {
        Span<uint> bitImage = stackalloc uint[32];
        for (var bit = 0; bit < 32; bit++)
        {
            var crc = 1u << bit;
            for (var i = 0; i < zeroBytes; i++)
            {
                for (var k = 0; k < 8; k++)
                {
                    crc = (crc & 1) != 0 ? Polynomial ^ (crc >> 1) : crc >> 1;
                }
            }
            bitImage[bit] = crc;
        }
        var table = new uint[4 * 256];
        for (var k = 0; k < 4; k++)
        {
            for (var n = 1; n < 256; n++)
            {
                uint image = 0;
                for (var bit = 0; bit < 8; bit++)
                {
                    if ((n & (1 << bit)) != 0)
                    {
                        image ^= bitImage[8 * k + bit];
                    }
                }
                table[k * 256 + n] = image;
            }
        }
        return table;
    }
}
