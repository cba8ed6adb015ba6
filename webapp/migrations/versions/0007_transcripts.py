"""transcripts: a video's transcript state and its timed segments with word timings

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'transcripts',
        sa.Column('video_id', sa.String(length=16), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('language', sa.String(length=16), nullable=True),
        sa.Column('model', sa.String(length=80), nullable=False),
        sa.Column('origin', sa.String(length=16), nullable=False),
        sa.Column('source_sha1', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['video_id'], ['videos.id'], name=op.f('fk_transcripts_video_id_videos'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('video_id', name=op.f('pk_transcripts')),
    )
    op.create_table(
        'transcript_segments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('video_id', sa.String(length=16), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('start', sa.Double(), nullable=False),
        sa.Column('end', sa.Double(), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('words_json', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['video_id'], ['transcripts.video_id'],
                                name=op.f('fk_transcript_segments_video_id_transcripts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_transcript_segments')),
    )
    with op.batch_alter_table('transcript_segments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transcript_segments_video_id'), ['video_id'], unique=False)


def downgrade():
    with op.batch_alter_table('transcript_segments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transcript_segments_video_id'))
    op.drop_table('transcript_segments')
    op.drop_table('transcripts')
