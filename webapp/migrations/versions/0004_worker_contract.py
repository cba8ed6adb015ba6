"""worker contract: lost leases counted apart, periodic task claims, small task dedupe keys, worker heartbeats

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('lost_leases', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'periodic_runs',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('next_run_at', sa.DateTime(), nullable=False),
        sa.Column('last_started_at', sa.DateTime(), nullable=True),
        sa.Column('last_owner', sa.String(length=128), nullable=True),
        sa.Column('runs', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_periodic_runs')),
    )
    op.create_table(
        'task_runs',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_task_runs')),
    )
    with op.batch_alter_table('task_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_runs_done_at'), ['done_at'], unique=False)
    op.create_table(
        'worker_beats',
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('pid', sa.Integer(), nullable=False),
        sa.Column('beat_at', sa.DateTime(), nullable=False),
        sa.Column('held', sa.Integer(), nullable=False),
        sa.Column('running', sa.Integer(), nullable=False),
        sa.Column('slots', sa.Integer(), nullable=False),
        sa.Column('stalled_since', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_worker_beats')),
    )


def downgrade():
    op.drop_table('worker_beats')
    with op.batch_alter_table('task_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_runs_done_at'))
    op.drop_table('task_runs')
    op.drop_table('periodic_runs')
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('lost_leases')
