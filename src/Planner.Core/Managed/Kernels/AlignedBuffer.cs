using System.Runtime.InteropServices;

namespace Planner.Managed.Kernels;

/// <summary>
/// A float buffer on the pinned heap whose first element is 64-byte aligned (one cache line, one AVX-512 vector), so
/// kernels can hold raw pointers into it for its whole life without <c>fixed</c> and without split loads.
/// </summary>
public sealed unsafe class AlignedBuffer
{
    private readonly float[] _storage;
    private readonly int _offset;

    /// <summary>Allocates <paramref name="length"/> zeroed floats.</summary>
    public AlignedBuffer(int length)
    {
        Guard.AtLeast(length, 0, nameof(length));
        _storage = GC.AllocateArray<float>(length + 16, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _offset = (int)((64 - (address & 63)) & 63) / sizeof(float);
        Length = length;
    }

    /// <summary>Number of floats.</summary>
    public int Length { get; }

    /// <summary>The aligned first element; valid for the life of this object (the storage is pinned).</summary>
    public float* Pointer => (float*)Unsafe.AsPointer(ref _storage[_offset]);

    /// <summary>The floats as a span.</summary>
    public Span<float> Span => _storage.AsSpan(_offset, Length);
}
