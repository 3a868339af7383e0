# What a Loket emulator state (GET /__emu/state) holds, without the ids Loket makes up: two
# states with the same digest hold the same records, none twice. Used by tests/helper.bash
# (loket_digest) and tests/bench/bureau.
{
	employees: [.employees[] | {employeeNumber, personalDetails, address, contactInformation}] | sort_by(.employeeNumber),
	wages: [.wages[] | {employmentId, startDate, endDate, grossWage, t: .grossWageType.key, applyPayGrade}] | sort_by(.employmentId, .startDate),
	benefits: [.benefitsAndDeductions[] | {employmentId, k: .payrollComponent.key, value, startDate, endDate}] | sort_by(.employmentId, .k, .startDate),
	ppd: [.payrollPeriodData[] | {employmentId, y: .payrollPeriod.year, p: .payrollPeriod.periodNumber,
		c: (.payrollComponents | map([.payrollComponent.key, .value]) | sort)}] | sort_by(.employmentId, .y, .p),
	concepts: [.conceptEmployees[] | {uniqueName, n: .employeeData.employeeNumber}] | sort_by(.uniqueName)
}
