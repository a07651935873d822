using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.UpdateSensor;

/// <summary>
/// An admin changes a sensor (PATCH /api/sensors/{id}/); absent fields stay as they are. <see cref="Sources"/> replaces
/// the owned sources; a source newly added that already holds events written by others is claimed only with
/// <see cref="ClaimExisting"/> (see <see cref="SourceClaims"/>). Deactivating stops all the sensor's keys on every replica within seconds (see IApiKeyCredentials).
/// </summary>
public sealed record UpdateSensorCommand(
    long Id,
    string? Description,
    IReadOnlyList<string>? Sources,
    bool? IsActive,
    bool? Grouping,
    bool ClaimExisting = false,
    EventFormat? Format = null,
    IReadOnlyList<string>? SyslogNetworks = null,
    Rules.Common.LogsourceDto? Logsource = null) : ICommand<SensorDto>;

public sealed class UpdateSensorCommandHandler(IApplicationDbContext db, IAuditLog audit) : ICommandHandler<UpdateSensorCommand, SensorDto>
{
    public async ValueTask<SensorDto> Handle(UpdateSensorCommand command, CancellationToken cancellationToken)
    {
        var sensor = await db.Sensors.Include(s => s.Sources).FirstOrDefaultAsync(s => s.Id == command.Id, cancellationToken)
            ?? throw new NotFound("Sensor", command.Id);
        var owned = sensor.Sources.Select(s => s.Source).ToHashSet(StringComparer.Ordinal);
        sensor.Update(command.Description, command.Sources, command.IsActive, command.Grouping);
        sensor.ChangeIngest(command.Format, command.SyslogNetworks);
        if (command.Logsource is { } logsource)
        {
            sensor.SetLogsource(logsource.Product, logsource.Category, logsource.Service);
        }
        if (command.Sources is not null)
        {
            await SensorConflicts.ThrowIfTakenAsync(db, sensor, cancellationToken);
            await SourceClaims.ClaimAsync(
                db, audit, sensor, [.. sensor.Sources.Select(s => s.Source).Where(s => !owned.Contains(s))], command.ClaimExisting, cancellationToken);
        }

        audit.Record(AuditAction.SensorUpdated, AuditTargets.Sensor(sensor.Id), Changes(command));
        await SensorConflicts.SaveAsync(db, sensor, cancellationToken);
        return await db.Sensors.AsNoTracking().Where(s => s.Id == sensor.Id).ProjectToDto(db.Events).SingleAsync(cancellationToken);
    }

    /// <summary>The fields the PATCH set, as the audit log records them.</summary>
    private static string Changes(UpdateSensorCommand command)
    {
        var changes = new List<string>();
        if (command.IsActive is { } active)
        {
            changes.Add($"is_active={(active ? "true" : "false")}");
        }

        if (command.Sources is { } sources)
        {
            changes.Add($"sources=[{string.Join(",", sources)}]");
        }

        if (command.Grouping is { } grouping)
        {
            changes.Add($"grouping={(grouping ? "true" : "false")}");
        }

        if (command.Description is not null)
        {
            changes.Add("description");
        }

        if (command.Format is { } format)
        {
            changes.Add($"format={format.ToWire()}");
        }

        if (command.Logsource is { } changedLogsource)
        {
            changes.Add($"logsource={changedLogsource.Product}/{changedLogsource.Category}/{changedLogsource.Service}");
        }

        if (command.SyslogNetworks is { } networks)
        {
            changes.Add($"syslog_networks=[{string.Join(",", networks)}]");
        }

        return changes.Count == 0 ? "no change" : string.Join(" ", changes);
    }
}

public sealed class UpdateSensorCommandValidator : AbstractValidator<UpdateSensorCommand>
{
    public UpdateSensorCommandValidator()
    {
        RuleFor(c => c.Description).ValidDescription();
        RuleFor(c => c.Sources)
            .Must(s => s is null || s.Count > 0).WithMessage("sources must name at least one source.")
            .ValidSources();
        RuleFor(c => c.Format).ValidFormat();
        RuleFor(c => c.SyslogNetworks).ValidSyslogNetworks();
    }
}
