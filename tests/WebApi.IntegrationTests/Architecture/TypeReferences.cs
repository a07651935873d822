using System.Reflection;
using System.Reflection.Emit;

namespace ThreatPlatform.WebApi.IntegrationTests.Architecture;

/// <summary>
/// The types a compiled type uses: its signatures (base type, interfaces, fields, properties, methods, attributes) and
/// the types its method bodies name in their IL (calls, field access, object creation, casts, typeof, locals). Constants
/// are compiled into their users, so a reference through a <c>const</c> alone is invisible here.
/// </summary>
internal static class TypeReferences
{
    private const BindingFlags Declared =
        BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    public static IEnumerable<Type> Of(Type type)
    {
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            foreach (var part in Parts(t))
            {
                found.Add(part);
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (var attribute in SafeAttributes(type.GetCustomAttributesData))
        {
            AddAttribute(attribute, Add);
        }

        foreach (var field in type.GetFields(Declared))
        {
            Add(field.FieldType);
            foreach (var attribute in SafeAttributes(field.GetCustomAttributesData))
            {
                AddAttribute(attribute, Add);
            }
        }

        foreach (var property in type.GetProperties(Declared))
        {
            Add(property.PropertyType);
            foreach (var attribute in SafeAttributes(property.GetCustomAttributesData))
            {
                AddAttribute(attribute, Add);
            }
        }

        foreach (var method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            foreach (var attribute in SafeAttributes(method.GetCustomAttributesData))
            {
                AddAttribute(attribute, Add);
            }

            foreach (var used in FromBody(method))
            {
                Add(used);
            }
        }

        found.Remove(type);
        return found;
    }

    private static IList<CustomAttributeData> SafeAttributes(Func<IList<CustomAttributeData>> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is FileNotFoundException or TypeLoadException)
        {
            return [];
        }
    }

    private static void AddAttribute(CustomAttributeData attribute, Action<Type?> add)
    {
        add(attribute.AttributeType);
        foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
        {
            add(argument.Value as Type);
        }
    }

    /// <summary>A type and what it is made of: element types, generic definitions and arguments.</summary>
    private static IEnumerable<Type> Parts(Type? type)
    {
        if (type is null || type.IsGenericParameter)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var part in Parts(type.GetElementType()))
            {
                yield return part;
            }

            yield break;
        }

        if (type.IsConstructedGenericType)
        {
            yield return type.GetGenericTypeDefinition();
            foreach (var argument in type.GetGenericArguments())
            {
                foreach (var part in Parts(argument))
                {
                    yield return part;
                }
            }

            yield break;
        }

        yield return type;
    }

    private static IEnumerable<Type> FromBody(MethodBase method)
    {
        MethodBody? body;
        try
        {
            body = method.GetMethodBody();
        }
        catch (Exception e) when (e is InvalidOperationException or BadImageFormatException)
        {
            yield break;
        }

        if (body is null)
        {
            yield break;
        }

        foreach (var local in body.LocalVariables)
        {
            yield return local.LocalType;
        }

        var il = body.GetILAsByteArray() ?? [];
        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method is MethodInfo { IsGenericMethod: true } ? method.GetGenericArguments() : null;
        var at = 0;
        while (at < il.Length)
        {
            OpCode code;
            if (il[at] == 0xFE && at + 1 < il.Length)
            {
                code = OpCodesByValue[unchecked((short)(0xFE00 | il[at + 1]))];
                at += 2;
            }
            else
            {
                code = OpCodesByValue[il[at]];
                at += 1;
            }

            switch (code.OperandType)
            {
                case OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok:
                    var token = BitConverter.ToInt32(il, at);
                    foreach (var used in Resolve(method.Module, token, typeArguments, methodArguments))
                    {
                        yield return used;
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                default:
                    at += OperandSize(code.OperandType);
                    break;
            }
        }
    }

    private static IEnumerable<Type> Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        MemberInfo? member;
        try
        {
            member = module.ResolveMember(token, typeArguments, methodArguments);
        }
        catch (Exception e) when (e is ArgumentException or TypeLoadException or FileNotFoundException or MissingMemberException or BadImageFormatException)
        {
            yield break;
        }

        switch (member)
        {
            case Type type:
                yield return type;
                break;
            case FieldInfo field:
                yield return field.DeclaringType!;
                yield return field.FieldType;
                break;
            case MethodBase called:
                if (called.DeclaringType is { } owner)
                {
                    yield return owner;
                }

                if (called is MethodInfo info)
                {
                    yield return info.ReturnType;
                    if (info.IsConstructedGenericMethod)
                    {
                        foreach (var argument in info.GetGenericArguments())
                        {
                            yield return argument;
                        }
                    }
                }

                break;
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4,
    };
}
