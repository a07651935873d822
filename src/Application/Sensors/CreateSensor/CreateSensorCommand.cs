using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.CreateSensor;

/// <summary>
/// An admin registers a sensor (POST /api/sensors/); without sources it owns the source named as itself, without a
/// format it reports NATIVE events, without syslog networks the syslog listener accepts nothing for it. A source that
/// already holds events written by others is claimed only with <see cref="ClaimExisting"/> (see <see cref="SourceClaims"/>).
/// </summary>
public sealed record CreateSensorCommand(
    string Name,
    SensorKind Kind,
    string? Description,
    IReadOnlyList<string>? Sources,
    bool? Grouping,
    bool ClaimExisting = false,
    EventFormat? Format = null,
    IReadOnlyList<string>? SyslogNetworks = null,
    Rules.Common.LogsourceDto? Logsource = null) : ICommand<SensorDto>;

public sealed class CreateSensorCommandHandler(IApplicationDbContext db, IAuditLog audit, TimeProvider clock)
    : ICommandHandler<CreateSensorCommand, SensorDto>
{
    public async ValueTask<SensorDto> Handle(CreateSensorCommand command, CancellationToken cancellationToken)
    {
        var sensor = Sensor.Create(command.Name, command.Kind, command.Description, command.Sources, command.Grouping, clock.GetUtcNow());
        sensor.ChangeIngest(command.Format, command.SyslogNetworks);
        if (command.Logsource is { } logsource)
        {
            sensor.SetLogsource(logsource.Product, logsource.Category, logsource.Service);
        }
        await SensorConflicts.ThrowIfTakenAsync(db, sensor, cancellationToken);
        await SourceClaims.ClaimAsync(db, audit, sensor, [.. sensor.Sources.Select(s => s.Source)], command.ClaimExisting, cancellationToken);
        db.Sensors.Add(sensor);
        audit.Record(AuditAction.SensorCreated, () => AuditTargets.Sensor(sensor.Id), $"{sensor.Name} ({sensor.Kind.ToWire()})");
        await SensorConflicts.SaveAsync(db, sensor, cancellationToken);
        return await db.Sensors.AsNoTracking().Where(s => s.Id == sensor.Id).ProjectToDto(db.Events).SingleAsync(cancellationToken);
    }
}

public sealed class CreateSensorCommandValidator : AbstractValidator<CreateSensorCommand>
{
    public CreateSensorCommandValidator()
    {
        RuleFor(c => c.Name)
            .Must(n => !string.IsNullOrWhiteSpace(n)).WithMessage("name is required.")
            .Must(n => n is null || n.Trim().Length <= Sensor.NameMaxLength).WithMessage($"name must be at most {Sensor.NameMaxLength} characters.");
        RuleFor(c => c.Kind).IsInEnum().WithMessage("kind is not a sensor kind.");
        RuleFor(c => c.Description).ValidDescription();
        RuleFor(c => c.Sources).ValidSources();
        RuleFor(c => c.Format).ValidFormat();
        RuleFor(c => c.SyslogNetworks).ValidSyslogNetworks();
    }
}
