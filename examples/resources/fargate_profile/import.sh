# A profile, as <cluster>:<name>.
terraform import fargate_profile.team_a platform:fp-team-a
