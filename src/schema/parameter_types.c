/* CloudFormation's AWS-specific parameter types: for a parameter of such a type, AWS
 * checks that the value names a real thing of the account (a VPC, subnets) before
 * anything is deployed. They are part of the template language, not of the resource
 * registry tools/schemagen reads, so they are listed here, beside the rest of what stackc
 * knows of AWS. */
#include "schema/schema.h"

#include <string.h>

/* Every type, each also as List<TYPE>, except the last. */
static const char *const parameter_types[] = {
    "AWS::EC2::AvailabilityZone::Name",
    "AWS::EC2::Image::Id",
    "AWS::EC2::Instance::Id",
    "AWS::EC2::KeyPair::KeyName",
    "AWS::EC2::SecurityGroup::GroupName",
    "AWS::EC2::SecurityGroup::Id",
    "AWS::EC2::Subnet::Id",
    "AWS::EC2::Volume::Id",
    "AWS::EC2::VPC::Id",
    "AWS::Route53::HostedZone::Id",
    "AWS::SSM::Parameter::Name",
};

const char *const *sc_schema_parameter_types(size_t *count)
{
    *count = sizeof(parameter_types) / sizeof(parameter_types[0]);
    return parameter_types;
}

bool sc_schema_parameter_type_known(const char *type, bool as_list)
{
    if (strncmp(type, "AWS::SSM::Parameter::Value<", 27) == 0)
        return !as_list;
    size_t count;
    const char *const *types = sc_schema_parameter_types(&count);
    for (size_t i = 0; i < count; i++)
        if (strcmp(type, types[i]) == 0)
            return !(as_list && i == count - 1);
    return false;
}
