"""trim and waveform: a video's kept part, the trim baked into its renditions, the trim history, audio peaks

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

VIDEO_COLUMNS = ('trim_start', 'trim_end', 'renditions_trim_start', 'renditions_trim_end', 'source_duration')


def upgrade():
    op.create_table(
        'video_trims',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('video_id', sa.String(length=16), nullable=False),
        sa.Column('start', sa.Double(), nullable=True),
        sa.Column('end', sa.Double(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_video_trims_created_by_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_video_trims_video_id_videos'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_video_trims')),
    )
    with op.batch_alter_table('video_trims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_video_trims_video_id'), ['video_id'], unique=False)
    with op.batch_alter_table('videos', schema=None) as batch_op:
        for name in VIDEO_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('waveform_key', sa.String(length=255), nullable=True))


def downgrade():
    with op.batch_alter_table('videos', schema=None) as batch_op:
        batch_op.drop_column('waveform_key')
        for name in reversed(VIDEO_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('video_trims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_video_trims_video_id'))
    op.drop_table('video_trims')
