package rpc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the codec wrapped here
	"google.golang.org/grpc/mem"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// checkUTF8 are the server options that answer a request whose strings
// are not valid UTF-8 with InvalidArgument and a BadRequest naming every
// such field. A proto3 string must be valid UTF-8, and the proto codec
// refuses a request holding one before any handler or interceptor sees
// it, so gRPC alone answers Internal without saying which field is wrong.
// The two options go together: codec hands such a request on empty but
// for a mark, and refuseInvalidUTF8 (chained after the others, so after
// authorization) turns the mark into the answer.
var checkUTF8 = []grpc.ServerOption{
	grpc.ForceServerCodecV2(codec{}),
	grpc.ChainUnaryInterceptor(refuseInvalidUTF8),
}

// codec is gRPC's proto codec, but for a request whose strings are not
// valid UTF-8: that decodes to an empty message marked with the proto
// paths of those strings (see mark), for refuseInvalidUTF8 to answer.
type codec struct{}

// protoCodec is the codec gRPC registers for protobuf.
var protoCodec = encoding.GetCodecV2("proto")

func (codec) Name() string { return protoCodec.Name() }

func (codec) Marshal(v any) (mem.BufferSlice, error) { return protoCodec.Marshal(v) }

func (codec) Unmarshal(data mem.BufferSlice, v any) error {
	err := protoCodec.Unmarshal(data, v)
	m, ok := v.(proto.Message)
	if err == nil && ok && marked(m) != nil {
		// A client sent the mark itself: only the codec may set it.
		mark(m, nil)
	}
	if err == nil || !ok || !invalidUTF8(err) {
		return err
	}
	paths := badStrings(data.Materialize(), m.ProtoReflect().Descriptor(), "")
	if len(paths) == 0 {
		// Found by the codec but not by the walk (which cannot happen
		// for proto3 messages): the request as a whole is named.
		paths = []string{""}
	}
	proto.Reset(m)
	mark(m, paths)
	return nil
}

// invalidUTF8 reports whether err is the proto decoder's refusal of a
// string that is not valid UTF-8. Its fast path says so by a method, the
// reflective path only in words.
func invalidUTF8(err error) bool {
	var u interface{ InvalidUTF8() bool }
	if errors.As(err, &u) && u.InvalidUTF8() {
		return true
	}
	return strings.Contains(err.Error(), "invalid UTF-8")
}

// badStrings lists the proto paths (as field violations name them, e.g.
// `article.locales["en"].title`, `article.section[1]`) of the strings in
// b, an encoded message of type md, that are not valid UTF-8. path is
// the message's own path, "" for the request.
func badStrings(b []byte, md protoreflect.MessageDescriptor, path string) []string {
	var out []string
	seen := map[protowire.Number]int{}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return out
		}
		b = b[n:]
		fd := md.Fields().ByNumber(num)
		if fd == nil || typ != protowire.BytesType {
			if n = protowire.ConsumeFieldValue(num, typ, b); n < 0 {
				return out
			}
			b = b[n:]
			continue
		}
		v, n := protowire.ConsumeBytes(b)
		if n < 0 {
			return out
		}
		b = b[n:]
		p := string(fd.Name())
		if path != "" {
			p = path + "." + p
		}
		switch {
		case fd.IsMap():
			out = append(out, badEntry(v, fd, p)...)
			continue
		case fd.IsList():
			p = fmt.Sprintf("%s[%d]", p, seen[num])
			seen[num]++
		}
		out = append(out, badValue(v, fd, p)...)
	}
	return out
}

// badValue checks one string or message value of fd at path p.
func badValue(v []byte, fd protoreflect.FieldDescriptor, p string) []string {
	switch fd.Kind() {
	case protoreflect.StringKind:
		if !utf8.Valid(v) {
			return []string{p}
		}
	case protoreflect.MessageKind:
		return badStrings(v, fd.Message(), p)
	}
	return nil
}

// badEntry checks one entry of the map fd at path p: its key names it,
// as in `locales["en"]`.
func badEntry(entry []byte, fd protoreflect.FieldDescriptor, p string) []string {
	var key, val []byte
	var keyNum uint64
	for len(entry) > 0 {
		num, typ, n := protowire.ConsumeTag(entry)
		if n < 0 {
			return nil
		}
		entry = entry[n:]
		switch {
		case num == 1 && typ == protowire.BytesType:
			key, n = protowire.ConsumeBytes(entry)
		case num == 1 && typ == protowire.VarintType:
			keyNum, n = protowire.ConsumeVarint(entry)
		case num == 2 && typ == protowire.BytesType:
			val, n = protowire.ConsumeBytes(entry)
		default:
			n = protowire.ConsumeFieldValue(num, typ, entry)
		}
		if n < 0 {
			return nil
		}
		entry = entry[n:]
	}
	if fd.MapKey().Kind() == protoreflect.StringKind {
		p = fmt.Sprintf("%s[%q]", p, key)
		if !utf8.Valid(key) {
			return []string{p}
		}
	} else {
		p = fmt.Sprintf("%s[%d]", p, keyNum)
	}
	return badValue(val, fd.MapValue(), p)
}

// markNumber is the field number of the mark: the largest there is, far
// from any field a Tandem message has.
const markNumber = protowire.MaxValidNumber

// mark records paths in m's unknown fields, one string each, in place of
// any unknown fields it had.
func mark(m proto.Message, paths []string) {
	var b []byte
	for _, p := range paths {
		b = protowire.AppendTag(b, markNumber, protowire.BytesType)
		b = protowire.AppendString(b, p)
	}
	m.ProtoReflect().SetUnknown(b)
}

// marked returns the paths mark recorded in m, if any.
func marked(m proto.Message) []string {
	var paths []string
	b := m.ProtoReflect().GetUnknown()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeField(b)
		if n < 0 {
			return paths
		}
		if num == markNumber && typ == protowire.BytesType {
			s, _ := protowire.ConsumeString(b[protowire.SizeTag(num):])
			paths = append(paths, s)
		}
		b = b[n:]
	}
	return paths
}

// refuseInvalidUTF8 answers a request codec marked with InvalidArgument
// and a field violation for each string that is not valid UTF-8. It runs
// after authorization, as any check of a request's fields does.
func refuseInvalidUTF8(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	if m, ok := req.(proto.Message); ok {
		if paths := marked(m); len(paths) > 0 {
			var v Violations
			for _, p := range paths {
				v.Add(p, "is not valid UTF-8")
			}
			return nil, v.Err()
		}
	}
	return handler(ctx, req)
}
