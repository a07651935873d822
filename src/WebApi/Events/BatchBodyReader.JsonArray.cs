using System.Buffers;
using System.Text.Json;
using ThreatPlatform.Application.Events.IngestBatch;

namespace ThreatPlatform.WebApi.Events;

internal static partial class BatchBodyReader
{
    /// <summary>
    /// Reads a JSON array's elements as the body arrives, in one pass: each object's bytes are found by walking its
    /// tokens (building nothing) and read straight into an <see cref="EventBody"/>; any other element is an item that is
    /// not an object. A body that is not one JSON array fails as a whole with the line and byte where it went wrong, and
    /// so does a property name repeated (or not text) in any object of an element, as the serializer refuses them.
    /// </summary>
    private sealed class JsonArrayReader(JsonSerializerOptions json)
    {
        private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

        private readonly JsonSerializerOptions _json = json;
        private readonly PropertyNames _names = new();
        private JsonReaderState _state = new(ReaderOptions(json));
        private bool _started;
        private bool _bomChecked;

        // Where the unread buffer starts, as the reader counts it: its line, and its byte in that line.
        private long _line;
        private long _byteInLine;

        /// <summary>Reads every element complete in <paramref name="buffer"/>; returns where the first incomplete one starts.</summary>
        public SequencePosition Read(ReadOnlySequence<byte> buffer, bool isFinalBlock, List<BatchItem> items)
        {
            if (!_bomChecked)
            {
                if (buffer.Length < Utf8Bom.Length && !isFinalBlock)
                {
                    return buffer.Start;
                }

                _bomChecked = true;
                if (buffer.Length >= Utf8Bom.Length && buffer.Slice(0, Utf8Bom.Length).ToArray().AsSpan().SequenceEqual(Utf8Bom))
                {
                    buffer = buffer.Slice(Utf8Bom.Length);
                }
            }

            var reader = new Utf8JsonReader(buffer, isFinalBlock, _state);
            while (true)
            {
                var before = reader;
                if (!reader.Read())
                {
                    break;
                }

                if (!_started)
                {
                    // A null body is an empty batch, as the serializer reads it; anything else but an array is not a batch.
                    _started = true;
                    if (reader.TokenType is not (JsonTokenType.StartArray or JsonTokenType.Null))
                    {
                        throw Failure(buffer, reader.BytesConsumed);
                    }

                    continue;
                }

                if (reader.CurrentDepth == 0)
                {
                    // The array's end: only white space may follow, which the reader itself checks.
                    continue;
                }

                var isObject = reader.TokenType == JsonTokenType.StartObject;
                var start = reader.TokenStartIndex;
                if (!_names.TrySkip(ref reader, out var refused))
                {
                    reader = before;
                    break;
                }

                var end = reader.BytesConsumed;
                if (refused)
                {
                    throw Failure(buffer, end);
                }

                AddItem(items, isObject ? ItemOf(buffer.Slice(start, end - start), _json) : NotAnObject());
            }

            _state = reader.CurrentState;
            Count(buffer.Slice(0, reader.BytesConsumed), ref _line, ref _byteInLine);
            return reader.Position;
        }

        /// <summary>The failure of the whole body at <paramref name="offset"/> into <paramref name="buffer"/>, with its line and byte.</summary>
        private JsonException Failure(ReadOnlySequence<byte> buffer, long offset)
        {
            var line = _line;
            var byteInLine = _byteInLine;
            Count(buffer.Slice(0, offset), ref line, ref byteInLine);
            return new JsonException("The body is not a JSON array of events.", "$", line, byteInLine);
        }

        private static void Count(ReadOnlySequence<byte> read, ref long line, ref long byteInLine)
        {
            foreach (var segment in read)
            {
                var span = segment.Span;
                var newlines = span.Count((byte)'\n');
                if (newlines == 0)
                {
                    byteInLine += span.Length;
                    continue;
                }

                line += newlines;
                byteInLine = span.Length - span.LastIndexOf((byte)'\n') - 1;
            }
        }
    }

    /// <summary>
    /// Walks one JSON value to its end and tells whether any object in it repeats a property name (compared unescaped,
    /// as the serializer compares them) or has a name that is no text (an escaped lone surrogate). Names are kept as UTF-8 in one reused buffer; an object with many properties is
    /// checked with a set instead of a scan.
    /// </summary>
    private sealed class PropertyNames
    {
        private const int ScanLimit = 32;

        private readonly List<(int Start, int Length)> _names = [];
        private readonly Stack<(int FirstName, HashSet<string>? Large)> _objects = new();
        private byte[] _bytes = new byte[1024];
        private int _used;

        /// <summary>
        /// From a value's first token to its last; false (the reader where it stopped) when the buffer ends inside it.
        /// </summary>
        public bool TrySkip(ref Utf8JsonReader reader, out bool refused)
        {
            refused = false;
            if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                return true;
            }

            var depth = reader.CurrentDepth;
            _names.Clear();
            _objects.Clear();
            _used = 0;
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                _objects.Push((0, null));
            }

            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        refused |= Refuses(ref reader);
                        break;
                    case JsonTokenType.StartObject:
                        _objects.Push((_names.Count, null));
                        break;
                    case JsonTokenType.EndObject:
                        var (first, _) = _objects.Pop();
                        _used = first < _names.Count ? _names[first].Start : _used;
                        _names.RemoveRange(first, _names.Count - first);
                        break;
                }

                if (reader.CurrentDepth == depth && reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    return true;
                }
            }

            return false;
        }

        private bool Refuses(ref Utf8JsonReader reader)
        {
            var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
            if (_bytes.Length - _used < length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + length));
            }

            int written;
            try
            {
                written = reader.CopyString(_bytes.AsSpan(_used));
            }
            catch (InvalidOperationException)
            {
                // An escape that is no UTF-16 text (a lone surrogate): the serializer refuses the array over it too.
                return true;
            }

            var name = _bytes.AsSpan(_used, written);
            var (first, large) = _objects.Peek();
            if (large is not null)
            {
                return !large.Add(System.Text.Encoding.UTF8.GetString(name));
            }

            for (var i = first; i < _names.Count; i++)
            {
                if (_bytes.AsSpan(_names[i].Start, _names[i].Length).SequenceEqual(name))
                {
                    return true;
                }
            }

            _names.Add((_used, name.Length));
            _used += name.Length;
            if (_names.Count - first > ScanLimit)
            {
                // Past a few dozen properties, a set: a hostile object of 100,000 names must not cost 100,000² comparisons.
                large = new HashSet<string>(StringComparer.Ordinal);
                for (var i = first; i < _names.Count; i++)
                {
                    large.Add(System.Text.Encoding.UTF8.GetString(_bytes.AsSpan(_names[i].Start, _names[i].Length)));
                }

                _objects.Pop();
                _objects.Push((first, large));
            }

            return false;
        }
    }
}
